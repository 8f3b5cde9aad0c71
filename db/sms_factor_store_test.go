package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestSMSFactorStore_SetReplacesAndOtherTenantsSeeNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		tn := testdb.Tenant(t, d, "acme")
		u := factorUser(t, d, tn.ID)
		sms := d.ForTenant(tn.ID).SMSFactors()

		_, err := sms.Get(ctx, u.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.NoError(t, sms.Set(ctx, u.ID, "+14155550100", now))
		require.NoError(t, sms.Set(ctx, u.ID, "+34600000001", now.Add(time.Hour)))
		f, err := sms.Get(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, "+34600000001", f.Phone)
		require.True(t, f.VerifiedAt.Equal(now.Add(time.Hour)))

		require.NoError(t, sms.Remove(ctx, u.ID))
		_, err = sms.Get(ctx, u.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}
