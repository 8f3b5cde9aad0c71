package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestOIDCAppStore_LookupIsCachedUntilAnEdit: Lookup reads an application
// once per process, and every edit (update, secret rotation, deletion)
// is seen by the next Lookup; another tenant's scope does not see it.
func TestOIDCAppStore_LookupIsCachedUntilAnEdit(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		app := &db.OIDCApp{ClientID: "shop", Name: "Shop", Type: "web", Scopes: db.StringList{"openid"},
			AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, IDTokenAlg: "RS256", SecretHash: []byte("s1"), CreatedAt: now}
		require.NoError(t, s.OIDCApps().Create(t.Context(), app))

		lookup := func() (*db.OIDCApp, int, error) {
			ctx, count := db.CountStatements(t.Context())
			a, err := s.OIDCApps().Lookup(ctx, "shop")
			return a, count.N(), err
		}
		a, n, err := lookup()
		require.NoError(t, err)
		require.Equal(t, 1, n)
		a.Name = "changed by the caller"
		a, n, err = lookup()
		require.NoError(t, err)
		require.Zero(t, n, "served from memory")
		require.Equal(t, "Shop", a.Name, "each caller gets its own copy")

		_, err = d.ForTenant(testdb.Tenant(t, d, "bravo").ID).OIDCApps().Lookup(t.Context(), "shop")
		require.ErrorIs(t, err, db.ErrNotFound, "another tenant's application")

		app.Name = "Shop 2"
		require.NoError(t, s.OIDCApps().Update(t.Context(), app, now))
		a, _, err = lookup()
		require.NoError(t, err)
		require.Equal(t, "Shop 2", a.Name)

		require.NoError(t, s.OIDCApps().RotateSecret(t.Context(), "shop", []byte("s2"), now.Add(time.Hour), now))
		a, _, err = lookup()
		require.NoError(t, err)
		require.Equal(t, []byte("s2"), a.SecretHash)

		require.NoError(t, s.OIDCApps().Delete(t.Context(), "shop"))
		_, _, err = lookup()
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

// TestOIDCAppStore_ReloadSeesAnotherProcesssEdit: an edit made through
// another process's stores is not seen by this process's Lookup until
// AppCacheTTL, but Reload reads it at once and caches it.
func TestOIDCAppStore_ReloadSeesAnotherProcesssEdit(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			dsn := testdb.NewDSN(t, backend)
			open := func() *db.DB {
				d, err := db.Open(t.Context(), dsn, db.Options{})
				require.NoError(t, err)
				t.Cleanup(func() { _ = d.Close() })
				return d
			}
			server, cli := open(), open()
			_, err := server.Migrate(t.Context())
			require.NoError(t, err)
			tenant := testdb.Tenant(t, server, "acme").ID
			now := time.Now().UTC()
			app := &db.OIDCApp{ClientID: "shop", Name: "Shop", Type: "web", Scopes: db.StringList{"openid"},
				AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, IDTokenAlg: "RS256", SecretHash: []byte("s1"), CreatedAt: now}
			require.NoError(t, server.ForTenant(tenant).OIDCApps().Create(t.Context(), app))
			_, err = server.ForTenant(tenant).OIDCApps().Lookup(t.Context(), "shop")
			require.NoError(t, err)

			require.NoError(t, cli.ForTenant(tenant).OIDCApps().RotateSecret(t.Context(), "shop", []byte("s2"), now.Add(time.Hour), now))
			stale, err := server.ForTenant(tenant).OIDCApps().Lookup(t.Context(), "shop")
			require.NoError(t, err)
			require.Equal(t, []byte("s1"), stale.SecretHash, "another process's edit waits for AppCacheTTL")
			fresh, err := server.ForTenant(tenant).OIDCApps().Reload(t.Context(), "shop")
			require.NoError(t, err)
			require.Equal(t, []byte("s2"), fresh.SecretHash)
			again, err := server.ForTenant(tenant).OIDCApps().Lookup(t.Context(), "shop")
			require.NoError(t, err)
			require.Equal(t, []byte("s2"), again.SecretHash, "and the reloaded copy is cached")
		})
	}
}
