package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestDomainStore_OnlyVerifiedDomainRoutes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)

		dom, err := s.Domains().Add(ctx, "Login.Acme.Test:443")
		require.NoError(t, err)
		require.Equal(t, "login.acme.test", dom.Hostname)

		_, err = d.Tenants().ByHostname(ctx, "login.acme.test")
		require.ErrorIs(t, err, db.ErrNotFound, "an unverified domain must not route")

		require.NoError(t, s.Domains().MarkVerified(ctx, "login.acme.test", time.Now()))
		got, err := d.Tenants().ByHostname(ctx, "login.acme.test")
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)

		_, err = s.Domains().Add(ctx, "login.acme.test")
		require.ErrorIs(t, err, db.ErrDuplicate)

		require.NoError(t, s.Domains().Remove(ctx, "login.acme.test"))
		_, err = d.Tenants().ByHostname(ctx, "login.acme.test")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestDomainStore_VerifiedHostnameBelongsToOneTenant(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")
		sa, sb := d.ForTenant(a.ID), d.ForTenant(b.ID)

		// Both may claim; only one may hold it verified.
		_, err := sa.Domains().Add(ctx, "shared.test")
		require.NoError(t, err)
		_, err = sb.Domains().Add(ctx, "shared.test")
		require.NoError(t, err)
		require.NoError(t, sa.Domains().MarkVerified(ctx, "shared.test", time.Now()))
		require.ErrorIs(t, sb.Domains().MarkVerified(ctx, "shared.test", time.Now()), db.ErrDuplicate)

		got, err := d.Tenants().ByHostname(ctx, "shared.test")
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
	})
}
