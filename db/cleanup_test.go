package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestDeleteExpired_DeletesExpiredKeepsTheRest(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")

		expiredA := testdb.Flow(t, d.ForTenant(a.ID), now.Add(-time.Second))
		expiredB := testdb.Flow(t, d.ForTenant(b.ID), now.Add(-time.Hour))
		atBoundary := testdb.Flow(t, d.ForTenant(a.ID), now) // expires exactly now: still valid
		live := testdb.Flow(t, d.ForTenant(b.ID), now.Add(time.Microsecond))

		got, err := d.DeleteExpired(ctx, now, 100)
		require.NoError(t, err)
		require.Equal(t, 2, got.Flows)

		for _, f := range []*db.Flow{expiredA, expiredB} {
			_, err := d.ForTenant(f.TenantID).Flows().Get(ctx, f.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
		}
		for _, f := range []*db.Flow{atBoundary, live} {
			_, err := d.ForTenant(f.TenantID).Flows().Get(ctx, f.ID)
			require.NoError(t, err)
		}
	})
}

func TestDeleteExpired_WorksInBatches(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		a := testdb.Tenant(t, d, "acme")
		for range 5 {
			testdb.Flow(t, d.ForTenant(a.ID), now.Add(-time.Minute))
		}
		ctx, count := db.CountStatements(ctx)
		first, err := d.DeleteExpired(ctx, now, 3)
		require.NoError(t, err)
		require.Equal(t, 3, first.Flows)
		require.Equal(t, 9, count.N(), "one statement per table (flows, sessions, codes, OIDC requests, access and refresh tokens, session participations, SAML assertions, rate counters) per batch")
		second, err := d.DeleteExpired(ctx, now, 3)
		require.NoError(t, err)
		require.Equal(t, 2, second.Flows)
		third, err := d.DeleteExpired(ctx, now, 3)
		require.NoError(t, err)
		require.Zero(t, third.Total())

		_, err = d.DeleteExpired(ctx, now, 0)
		require.Error(t, err)
	})
}
