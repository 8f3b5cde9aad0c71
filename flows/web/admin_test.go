package web_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// newAdministrator makes a platform owner who owns the tenants given and
// returns a setup link token for them.
func newAdministrator(t *testing.T, srv *testserver.Server, email string, owns ...*tenants.Tenant) (*db.User, string) {
	t.Helper()
	return newAdministratorAs(t, srv, email, db.PlatformRoleOwner, owns...)
}

// newAdministratorAs makes a user of the admin tenant with the
// administrator role given (none for "") who owns the tenants given, and
// returns a setup link token for them.
func newAdministratorAs(t *testing.T, srv *testserver.Server, email, role string, owns ...*tenants.Tenant) (*db.User, string) {
	t.Helper()
	ctx := context.Background()
	admin, err := srv.Tenants.EnsureAdmin(ctx)
	require.NoError(t, err)
	scope := srv.DB.ForTenant(admin.ID)
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	u := &db.User{WebAuthnHandle: handle, DisplayName: email}
	require.NoError(t, scope.Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: email}))
	if role != "" {
		require.NoError(t, scope.Administrators().Grant(ctx, u.ID, role, time.Now()))
	}
	for _, tn := range owns {
		require.NoError(t, scope.Memberships().Add(ctx, u.ID, tn.ID, db.RoleOwner, time.Now()))
	}
	token, err := flows.CreateSetupLink(ctx, scope, admin, u.ID, time.Now())
	require.NoError(t, err)
	return u, token
}

func TestAdminHost_SetupLinkConsoleAPIAndMembership(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			acme := srv.CreateTenant(t, "acme", "Acme")
			bravo := srv.CreateTenant(t, "bravo", "Bravo")
			_, token := newAdministratorAs(t, srv, "ada@example.com", db.PlatformRoleMember, acme)
			c := newAPIClient(t, srv, tenants.AdminSlug)
			csrf := map[string]string{"X-Sesame-Request": "1"}

			// Signed out: the console sends to the sign-in page; its API
			// refuses; there is no public sign-up on the admin host.
			r := c.do(http.MethodGet, "/console", nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status)
			require.Equal(t, "/", r.header.Get("Location"))
			r = c.do(http.MethodGet, "/console/api/tenants", nil, csrf)
			require.Equal(t, http.StatusUnauthorized, r.status)
			require.Equal(t, http.StatusNotFound, c.do(http.MethodGet, "/sign-up", nil, nil).status)
			r = c.post("/api/flows/sign_up", map[string]any{"action": "identify", "input": map[string]any{"identifier": "eve@example.com"}}, nil)
			require.Equal(t, http.StatusNotFound, r.status)
			r = c.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": "eve@example.com"}}, nil)
			require.Equal(t, http.StatusForbidden, r.status)
			require.Equal(t, "sign_up_closed", r.errorCode(t))

			// The setup link signs in once.
			r = c.post("/api/setup", map[string]string{"token": "wrong"}, nil)
			require.Equal(t, http.StatusGone, r.status)
			require.Equal(t, "setup_link_invalid", r.errorCode(t))
			r = c.post("/api/setup", map[string]string{"token": token}, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			again := newAPIClient(t, srv, tenants.AdminSlug)
			r = again.post("/api/setup", map[string]string{"token": token}, nil)
			require.Equal(t, http.StatusGone, r.status, "a setup link works once")

			r = c.do(http.MethodGet, "/console", nil, nil)
			require.Equal(t, http.StatusOK, r.status)
			require.Contains(t, string(r.body), "ada@example.com")
			require.Equal(t, "/console", c.do(http.MethodGet, "/account", nil, nil).header.Get("Location"))

			// The console API needs its header.
			r = c.do(http.MethodGet, "/console/api/tenants", nil, nil)
			require.Equal(t, http.StatusForbidden, r.status)
			require.Equal(t, "csrf_header_missing", r.errorCode(t))
			r = c.do(http.MethodGet, "/console/api/tenants", nil, csrf)
			require.Equal(t, http.StatusOK, r.status)
			list := r.json(t)["tenants"].([]any)
			require.Equal(t, "member", r.json(t)["platform_role"])
			require.Equal(t, false, r.json(t)["can_create_tenants"])
			require.Len(t, list, 1, "acme only: bravo is not ada's")
			require.Equal(t, "acme", list[0].(map[string]any)["slug"])
			require.Equal(t, "owner", list[0].(map[string]any)["role"])
			require.Equal(t, srv.URL("acme")+"/", list[0].(map[string]any)["url"])

			// A member may not create a tenant.
			r = c.post("/console/api/tenants", map[string]string{"slug": "globex", "name": "Globex"}, csrf)
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "console_role_forbidden", r.errorCode(t))
			_, err := srv.Tenants.BySlug(context.Background(), "globex")
			require.ErrorIs(t, err, db.ErrNotFound, "nothing created")

			// A platform owner may: field errors, then its creator owns it.
			_, ownerToken := newAdministrator(t, srv, "olga@example.com")
			owner := newAPIClient(t, srv, tenants.AdminSlug)
			require.Equal(t, http.StatusOK, owner.post("/api/setup", map[string]string{"token": ownerToken}, nil).status)
			r = owner.post("/console/api/tenants", map[string]string{"slug": "Bad Slug", "name": "X"}, csrf)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Equal(t, "slug", r.json(t)["error"].(map[string]any)["field"])
			r = owner.post("/console/api/tenants", map[string]string{"slug": "acme", "name": "Again"}, csrf)
			require.Equal(t, "slug", r.json(t)["error"].(map[string]any)["field"])
			r = owner.post("/console/api/tenants", map[string]string{"slug": "globex", "name": "Globex"}, csrf)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			require.Equal(t, "owner", r.json(t)["tenant"].(map[string]any)["role"])
			// A platform owner sees every tenant, owning the one they made.
			r = owner.do(http.MethodGet, "/console/api/tenants", nil, csrf)
			require.Equal(t, "platform_owner", r.json(t)["platform_role"])
			require.Equal(t, true, r.json(t)["can_create_tenants"])
			roles := map[string]any{}
			for _, v := range r.json(t)["tenants"].([]any) {
				roles[v.(map[string]any)["slug"].(string)] = v.(map[string]any)["role"]
			}
			require.Equal(t, map[string]any{"acme": "platform_owner", "bravo": "platform_owner", "globex": "owner"}, roles)
			// The member still sees acme only.
			r = c.do(http.MethodGet, "/console/api/tenants", nil, csrf)
			require.Len(t, r.json(t)["tenants"], 1)
			admin, err := srv.Tenants.EnsureAdmin(context.Background())
			require.NoError(t, err)
			ms, err := srv.DB.ForTenant(admin.ID).Memberships().Of(context.Background(), mustAdminUser(t, srv, "ada@example.com").ID)
			require.NoError(t, err)
			require.Len(t, ms, 1, "the member was given nothing")

			// The management API of a managed tenant, through the console.
			q := map[string]any{"query": "{ tenant { slug settingsVersion } }"}
			r = c.post("/console/tenants/acme/graphql", q, csrf)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Contains(t, string(r.body), `"slug":"acme"`)
			r = owner.post("/console/tenants/globex/graphql", q, csrf)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Contains(t, string(r.body), `"slug":"globex"`)
			r = owner.post("/console/tenants/bravo/graphql", q, csrf)
			require.Equal(t, http.StatusOK, r.status, "a platform owner manages every tenant: %s", r.body)
			// Not for the member: bravo, globex, nor the admin tenant, nor
			// an unknown slug: all look the same.
			for _, slug := range []string{"bravo", "globex", "admin", "nope"} {
				r = c.post("/console/tenants/"+slug+"/graphql", q, csrf)
				require.Equal(t, http.StatusNotFound, r.status, slug)
				require.Equal(t, "not_found", r.errorCode(t))
			}
			for _, slug := range []string{"admin", "nope"} {
				r = owner.post("/console/tenants/"+slug+"/graphql", q, csrf)
				require.Equal(t, http.StatusNotFound, r.status, slug)
			}
			// And not from another site.
			c.sendOrigin = "https://evil.example"
			r = c.post("/console/tenants/acme/graphql", q, csrf)
			require.Equal(t, http.StatusForbidden, r.status)
			c.sendOrigin = srv.URL(tenants.AdminSlug)

			// A session of a tenant user is not an administrator's.
			_ = bravo
			acmeUser := newAPIClient(t, srv, "acme")
			r = acmeUser.do(http.MethodGet, "/console/api/tenants", nil, csrf)
			require.Equal(t, http.StatusNotFound, r.status, "the console lives on the admin host only")
		})
	}
}

func TestAdminHost_OutboxOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	for _, dev := range []bool{false, true} {
		srv := testserver.Start(t, testdb.SQLite, testserver.Options{Development: dev})
		acme := srv.CreateTenant(t, "acme", "Acme")
		_, token := newAdministrator(t, srv, "ada@example.com", acme)
		c := newAPIClient(t, srv, tenants.AdminSlug)
		require.Equal(t, http.StatusOK, c.post("/api/setup", map[string]string{"token": token}, nil).status)
		sendCode(t, srv, "acme", "someone@example.com")
		require.Eventually(t, func() bool { return len(srv.Outbox.Messages()) == 1 }, 10*time.Second, 10*time.Millisecond)

		r := c.do(http.MethodGet, "/console/api/outbox", nil, map[string]string{"X-Sesame-Request": "1"})
		if !dev {
			require.NotContains(t, string(r.body), "someone@example.com", "production has no outbox to list")
			require.NotContains(t, r.header.Get("Content-Type"), "json")
			continue
		}
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		msgs := r.json(t)["messages"].([]any)
		require.Len(t, msgs, 1)
		require.Equal(t, "someone@example.com", msgs[0].(map[string]any)["to"])
		require.Equal(t, "email", msgs[0].(map[string]any)["kind"])
		r = newAPIClient(t, srv, tenants.AdminSlug).do(http.MethodGet, "/console/api/outbox", nil, map[string]string{"X-Sesame-Request": "1"})
		require.Equal(t, http.StatusUnauthorized, r.status, "administrators only")
	}
}

// mustAdminUser finds the admin tenant's user with email.
func mustAdminUser(t *testing.T, srv *testserver.Server, email string) *db.User {
	t.Helper()
	admin, err := srv.Tenants.EnsureAdmin(context.Background())
	require.NoError(t, err)
	u, err := srv.DB.ForTenant(admin.ID).Users().ByIdentifier(context.Background(), db.IdentifierEmail, email)
	require.NoError(t, err)
	return u
}
