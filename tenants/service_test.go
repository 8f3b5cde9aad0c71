package tenants_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestService_CreateValidatesAndRefusesTakenSlug(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")

		acme, err := svc.Create(ctx, "acme", "  Acme  ")
		require.NoError(t, err)
		require.Equal(t, "Acme", acme.Name)
		require.Equal(t, tenants.DefaultSettings(), acme.Settings)
		require.Equal(t, "acme.localhost:8080", svc.Host(acme))

		_, err = svc.Create(ctx, "acme", "Another")
		require.ErrorIs(t, err, tenants.ErrSlugTaken)

		_, err = svc.Create(ctx, "Bad Slug", "X")
		var ie *tenants.InputError
		require.ErrorAs(t, err, &ie)
		_, err = svc.Create(ctx, "bravo", " ")
		require.ErrorAs(t, err, &ie)
		require.Equal(t, "name", ie.Field)
		// A name is one line of text: no NUL (PostgreSQL cannot store it),
		// controls or U+FFFD left by bytes that were not UTF-8.
		for _, bad := range []string{"Ac\x00me", "Ac\x01me", "Ac\u0085me", "Ac\nme", "Ac\xffme", "Ac\ufffdme"} {
			_, err = svc.Create(ctx, "bravo", bad)
			require.ErrorAs(t, err, &ie, "%q", bad)
			require.Equal(t, "name", ie.Field)
		}

		all, err := svc.List(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1, "refused creations must write nothing")
	})
}

// TestService_BySlugOfWhatCannotBeASlugIsNotFound: a slug from a URL may
// hold any bytes; one that cannot be a slug is not found, not a database
// error.
func TestService_BySlugOfWhatCannotBeASlugIsNotFound(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")
		_, err := svc.Create(ctx, "acme", "Acme")
		require.NoError(t, err)
		for _, bad := range []string{"ac\x00me", "acme\x00", "ac\xffme", "AC ME", ""} {
			_, err = svc.BySlug(ctx, bad)
			require.ErrorIs(t, err, db.ErrNotFound, "%q", bad)
		}
		_, err = svc.BySlug(ctx, "acme")
		require.NoError(t, err)
	})
}

func TestService_EnsureIsIdempotent(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")
		first, created, err := svc.Ensure(ctx, "demo", "Demo")
		require.NoError(t, err)
		require.True(t, created)
		second, created, err := svc.Ensure(ctx, "demo", "Other name")
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.ID, second.ID)
		require.Equal(t, "Demo", second.Name)
	})
}

func TestService_ResolveHost(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")
		acme, err := svc.Create(ctx, "acme", "Acme")
		require.NoError(t, err)
		custom, err := svc.Create(ctx, "custom", "Custom")
		require.NoError(t, err)
		_, err = d.ForTenant(custom.ID).Domains().Add(ctx, "login.custom.test")
		require.NoError(t, err)
		_, err = d.ForTenant(custom.ID).Domains().Add(ctx, "pending.custom.test")
		require.NoError(t, err)
		require.NoError(t, d.ForTenant(custom.ID).Domains().MarkVerified(ctx, "login.custom.test", time.Now()))

		cases := []struct {
			host string
			kind tenants.HostKind
			want string
		}{
			{"localhost:8080", tenants.HostBase, ""},
			{"LOCALHOST:8080", tenants.HostBase, ""},
			{"acme.localhost:8080", tenants.HostTenant, acme.Slug},
			{"ACME.localhost:8080", tenants.HostTenant, acme.Slug},
			{"login.custom.test", tenants.HostTenant, custom.Slug},
			{"login.custom.test:8443", tenants.HostTenant, custom.Slug},
			{"pending.custom.test", tenants.HostUnknown, ""},
			{"nope.localhost:8080", tenants.HostUnknown, ""},
			{"a.acme.localhost:8080", tenants.HostUnknown, ""},
			{"acme.localhost:9090", tenants.HostUnknown, ""},
			{"127.0.0.1:8080", tenants.HostUnknown, ""},
			{".localhost:8080", tenants.HostUnknown, ""},
		}
		for _, c := range cases {
			kind, tn, err := svc.Resolve(ctx, c.host)
			require.Equal(t, c.kind, kind, c.host)
			if c.kind == tenants.HostUnknown {
				require.ErrorIs(t, err, tenants.ErrUnknownHost, c.host)
				continue
			}
			require.NoError(t, err, c.host)
			if c.want != "" {
				require.Equal(t, c.want, tn.Slug, c.host)
			}
		}
	})
}

func TestService_ResolveWithPortlessBaseDomain(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	ctx := context.Background()
	svc := tenants.NewService(d, "id.example.com")
	_, err := svc.Create(ctx, "acme", "Acme")
	require.NoError(t, err)

	kind, tn, err := svc.Resolve(ctx, "acme.id.example.com:443")
	require.NoError(t, err)
	require.Equal(t, tenants.HostTenant, kind)
	require.Equal(t, "acme", tn.Slug)
	kind, _, err = svc.Resolve(ctx, "id.example.com")
	require.NoError(t, err)
	require.Equal(t, tenants.HostBase, kind)
}

func TestRouter_SendsEachHostToItsHandler(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	svc := tenants.NewService(d, "localhost:8080")
	_, err := svc.Create(context.Background(), "acme", "Acme")
	require.NoError(t, err)

	router := &tenants.Router{
		Tenants: svc,
		Base:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("base")) }),
		Tenant: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tn, ok := tenants.FromContext(r.Context())
			require.True(t, ok)
			_, _ = w.Write([]byte("tenant " + tn.Slug))
		}),
		NotFound: http.NotFoundHandler(),
	}
	for host, want := range map[string]string{
		"localhost:8080":      "base",
		"acme.localhost:8080": "tenant acme",
		"zzz.localhost:8080":  "404 page not found\n",
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		router.ServeHTTP(rec, req)
		require.Equal(t, want, rec.Body.String(), host)
	}

	// A database failure is not a 404: the host may well exist.
	require.NoError(t, d.Close())
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "acme.localhost:8080"
	router.Logger = slog.New(slog.DiscardHandler)
	router.ServeHTTP(rec, req)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
}
