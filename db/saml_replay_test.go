package db_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestSAMLReplay_AnAssertionIsFreshOncePerTenantUntilItExpires(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		a := d.ForTenant(testdb.Tenant(t, d, "alpha").ID).SAMLReplay(clock)
		b := d.ForTenant(testdb.Tenant(t, d, "beta").ID).SAMLReplay(clock)
		until := now.Add(5 * time.Minute)

		fresh, err := a.Remember(ctx, "id-1", until)
		require.NoError(t, err)
		require.True(t, fresh, "first time")
		fresh, err = a.Remember(ctx, "id-1", until.Add(time.Hour))
		require.NoError(t, err)
		require.False(t, fresh, "the same assertion again")
		fresh, err = b.Remember(ctx, "id-1", until)
		require.NoError(t, err)
		require.True(t, fresh, "another tenant keeps its own record")

		_, err = a.Remember(ctx, "", until)
		require.Error(t, err, "an empty ID")
		_, err = a.Remember(ctx, strings.Repeat("x", 513), until)
		require.Error(t, err, "an ID too long to be real")

		n, err := d.DeleteExpired(ctx, now, 100)
		require.NoError(t, err)
		require.Zero(t, n.SAML, "nothing expired yet")

		now = until.Add(time.Second)
		fresh, err = a.Remember(ctx, "id-1", now.Add(5*time.Minute))
		require.NoError(t, err)
		require.True(t, fresh, "an expired record is taken over")
		n, err = d.DeleteExpired(ctx, now, 100)
		require.NoError(t, err)
		require.Equal(t, 1, n.SAML, "tenant beta's expired record is swept, alpha's renewed one kept")
		fresh, err = a.Remember(ctx, "id-1", now.Add(time.Minute))
		require.NoError(t, err)
		require.False(t, fresh, "the renewed record holds")
	})
}

func TestSAMLReplay_HundredParallelRemembersOneFresh(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.Postgres)
	now := time.Now()
	store := d.ForTenant(testdb.Tenant(t, d, "race").ID).SAMLReplay(func() time.Time { return now })
	var fresh, failed atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			ok, err := store.Remember(context.Background(), "id-race", now.Add(time.Minute))
			if err != nil {
				failed.Add(1)
			}
			if ok {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	require.EqualValues(t, 1, fresh.Load())
}
