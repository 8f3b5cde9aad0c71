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
		require.Equal(t, 12, count.N(), "one statement per table (flows, sessions, codes, audit events, webhook deliveries, OIDC requests, access and refresh tokens, session participations, SAML assertions, recovery links, rate counters) per batch")
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

func TestDeleteExpired_RemovesExpiredRecoveryLinksKeepsLiveOnes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		user := &db.User{WebAuthnHandle: []byte{9}, DisplayName: "u"}
		require.NoError(t, s.Users().Create(ctx, user))
		expired := []byte("expired-link-hash-0123456789abcdef")
		live := []byte("live-link-hash-0123456789abcdefghij")
		require.NoError(t, s.RecoveryLinks().Create(ctx, &db.RecoveryLink{UserID: user.ID, TokenHash: expired, CreatedAt: now.Add(-25 * time.Hour), ExpiresAt: now.Add(-time.Hour)}))
		require.NoError(t, s.RecoveryLinks().Create(ctx, &db.RecoveryLink{UserID: user.ID, TokenHash: live, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))

		got, err := d.DeleteExpired(ctx, now, 10)
		require.NoError(t, err)
		require.Equal(t, 1, got.RecoveryLinks)
		userID, err := s.RecoveryLinks().Use(ctx, live, now)
		require.NoError(t, err, "the live link is kept")
		require.Equal(t, user.ID, userID)
	})
}
