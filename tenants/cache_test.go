package tenants_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// resolveCounted resolves host and returns what it found and the
// statements it ran.
func resolveCounted(t *testing.T, svc *tenants.Service, host string) (*tenants.Tenant, error, int) {
	t.Helper()
	ctx, count := db.CountStatements(context.Background())
	_, tn, err := svc.Resolve(ctx, host)
	return tn, err, count.N()
}

func TestService_ResolveCostsNoStatementOnceCachedAndSeesThisProcessesChangesAtOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")
		_, err := svc.Create(ctx, "acme", "Acme")
		require.NoError(t, err)

		first, err, n := resolveCounted(t, svc, "acme.localhost:8080")
		require.NoError(t, err)
		require.LessOrEqual(t, n, 2, "the change epoch and the tenant")
		for range 3 {
			again, err, n := resolveCounted(t, svc, "ACME.localhost:8080")
			require.NoError(t, err)
			require.Zero(t, n, "a cached tenant costs no statement")
			require.Same(t, first, again)
		}

		// Through the router, as every request: no statement either.
		router := &tenants.Router{Tenants: svc, Tenant: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tn, _ := tenants.FromContext(r.Context())
			_, _ = w.Write([]byte(tn.Slug))
		})}
		counted, count := db.CountStatements(ctx)
		rec := httptest.NewRecorder()
		req := httptest.NewRequestWithContext(counted, http.MethodGet, "/", nil)
		req.Host = "acme.localhost:8080"
		router.ServeHTTP(rec, req)
		require.Equal(t, "acme", rec.Body.String())
		require.Zero(t, count.N())

		// An unknown host is remembered too, until a tenant takes it.
		_, err, _ = resolveCounted(t, svc, "bravo.localhost:8080")
		require.ErrorIs(t, err, tenants.ErrUnknownHost)
		_, err, n = resolveCounted(t, svc, "bravo.localhost:8080")
		require.ErrorIs(t, err, tenants.ErrUnknownHost)
		require.Zero(t, n)
		_, err = svc.Create(ctx, "bravo", "Bravo")
		require.NoError(t, err)
		bravo, err, _ := resolveCounted(t, svc, "bravo.localhost:8080")
		require.NoError(t, err, "a tenant created by this process is found at once")
		require.Equal(t, "bravo", bravo.Slug)

		// A custom domain added and verified as the CLI does, then removed.
		_, err, _ = resolveCounted(t, svc, "login.acme.test")
		require.ErrorIs(t, err, tenants.ErrUnknownHost)
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			if _, err := tx.ForTenant(first.ID).Domains().Add(ctx, "login.acme.test"); err != nil {
				return err
			}
			return tx.ForTenant(first.ID).Domains().MarkVerified(ctx, "login.acme.test", time.Now())
		}))
		byDomain, err, _ := resolveCounted(t, svc, "login.acme.test")
		require.NoError(t, err, "a domain added by this process routes at once")
		require.Equal(t, first.ID, byDomain.ID)
		require.NoError(t, d.ForTenant(first.ID).Domains().Remove(ctx, "login.acme.test"))
		_, err, _ = resolveCounted(t, svc, "login.acme.test")
		require.ErrorIs(t, err, tenants.ErrUnknownHost, "a domain removed by this process stops routing at once")

		// Settings saved through another Service on the same database (as
		// the console's or the API's would be), from the cached tenant:
		// seen at once, and the cached tenant itself is left as it was.
		current, err, _ := resolveCounted(t, svc, "acme.localhost:8080")
		require.NoError(t, err)
		next := current.Settings
		next.DefaultLocale = "es"
		_, err = tenants.NewService(d, "localhost:8080").UpdateSettings(ctx, current, next, false)
		require.NoError(t, err)
		require.Equal(t, "en", current.Settings.DefaultLocale, "saving does not modify the tenant it was given")
		updated, err, _ := resolveCounted(t, svc, "acme.localhost:8080")
		require.NoError(t, err)
		require.Equal(t, "es", updated.Settings.DefaultLocale)
		require.Equal(t, current.SettingsVersion+1, updated.SettingsVersion)
	})
}

// twoServers opens one fresh database twice, as two server processes
// would, each with its own tenants.Service.
func twoServers(t *testing.T, b testdb.Backend) (one, other *tenants.Service, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.NewDSN(t, b)
	open := func() *db.DB {
		d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	d, d2 := open(), open()
	_, err := d.Migrate(ctx)
	require.NoError(t, err)
	return tenants.NewService(d, "localhost:8080"), tenants.NewService(d2, "localhost:8080"), d
}

// within polls check until it holds and fails the test when that takes
// more than a second; it returns how long it took.
func within(t *testing.T, what string, check func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !check() {
		require.LessOrEqual(t, time.Since(start), time.Second, "%s: not seen by the other server within a second", what)
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(start)
	require.LessOrEqual(t, took, time.Second, what)
	return took
}

func TestService_ChangesOnOneServerAreSeenByAnotherOnTheSameDatabaseWithinASecond(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			one, other, d := twoServers(t, b)
			acme, err := one.Create(ctx, "acme", "Acme")
			require.NoError(t, err)
			resolve := func(host string) (*tenants.Tenant, error) {
				_, tn, err := other.Resolve(ctx, host)
				return tn, err
			}
			// held makes sure the other server holds its answer for host in
			// memory before a change, so that the change must reach it.
			held := func(host string) {
				t.Helper()
				_, _ = resolve(host)
				_, err, n := resolveCounted(t, other, host)
				if err != nil {
					require.ErrorIs(t, err, tenants.ErrUnknownHost)
				}
				require.Zero(t, n, "%s is cached", host)
			}
			cached, err := resolve("acme.localhost:8080")
			require.NoError(t, err)
			held("acme.localhost:8080")

			next := acme.Settings
			next.DefaultLocale = "zh-CN"
			_, err = one.UpdateSettings(ctx, acme, next, false)
			require.NoError(t, err)
			took := within(t, "a settings change", func() bool {
				tn, err := resolve("acme.localhost:8080")
				require.NoError(t, err)
				return tn.Settings.DefaultLocale == "zh-CN"
			})
			t.Logf("settings change seen after %v", took)
			require.Equal(t, "en", cached.Settings.DefaultLocale, "a tenant handed out earlier is not modified")

			held("login.acme.test")
			require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if _, err := tx.ForTenant(acme.ID).Domains().Add(ctx, "login.acme.test"); err != nil {
					return err
				}
				return tx.ForTenant(acme.ID).Domains().MarkVerified(ctx, "login.acme.test", time.Now())
			}))
			t.Logf("domain added, seen after %v", within(t, "a domain added", func() bool {
				tn, err := resolve("login.acme.test")
				return err == nil && tn.ID == acme.ID
			}))

			held("login.acme.test")
			require.NoError(t, d.ForTenant(acme.ID).Domains().Remove(ctx, "login.acme.test"))
			t.Logf("domain removed, seen after %v", within(t, "a domain removed", func() bool {
				_, err := resolve("login.acme.test")
				return err != nil
			}))
			_, err = resolve("login.acme.test")
			require.ErrorIs(t, err, tenants.ErrUnknownHost)

			held("bravo.localhost:8080")
			_, err = one.Create(ctx, "bravo", "Bravo")
			require.NoError(t, err)
			t.Logf("tenant created, seen after %v", within(t, "a tenant created", func() bool {
				tn, err := resolve("bravo.localhost:8080")
				return err == nil && tn.Slug == "bravo"
			}))

			// Once seen, the other server serves it from memory again.
			counted, count := db.CountStatements(ctx)
			_, _, err = other.Resolve(counted, "bravo.localhost:8080")
			require.NoError(t, err)
			require.Zero(t, count.N())
		})
	}
}
