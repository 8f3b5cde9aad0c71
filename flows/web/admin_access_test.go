package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// signUpInputs are inputs that each sign-up action would take on a
// customer tenant, so that a refusal is the rule's, not a bad input's.
var signUpInputs = map[string]any{
	signup.ActionIdentify: map[string]string{"identifier": "eve@evil.example"},
	signup.ActionSignUp:   map[string]string{"email": "eve@evil.example"},
	signup.ActionPassword: map[string]string{"password": "correct horse battery staple"},
}

func signUpInput(action string) any {
	if v, ok := signUpInputs[action]; ok {
		return v
	}
	return map[string]any{}
}

// TestAdminHost_NoSignUpByAnyDoor tries every door to an account of the
// admin tenant without an administrator's session: the flow API with every
// sign-up action (as a first action, and on a flow already stored in each
// state), the form sign-up, the hosted sign-up page and the sign-in page's
// link, and the WebAuthn register routes. Each is refused and no account
// appears; the same first step works on a customer tenant.
func TestAdminHost_NoSignUpByAnyDoor(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			admin, err := srv.Tenants.EnsureAdmin(ctx)
			require.NoError(t, err)
			c := newAPIClient(t, srv, tenants.AdminSlug)
			m := signup.Machine(nil)

			// The customer tenant's sign-up answers the first step.
			r := newAPIClient(t, srv, "acme").post("/api/flows/sign-up", map[string]any{"action": "identify", "input": signUpInput("identify")}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))

			// The flow API: starting, and every action as the first.
			r = c.post("/api/flows/sign-up", map[string]any{}, nil)
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "sign_up_closed", r.errorCode(t))
			for _, action := range m.ActionNames() {
				r = c.post("/api/flows/sign-up", map[string]any{"action": action, "input": signUpInput(action)}, nil)
				require.Equal(t, http.StatusForbidden, r.status, "%s: %s", action, r.body)
				require.Equal(t, "sign_up_closed", r.errorCode(t), action)
			}
			// The form sign-up with every identifier kind and a password.
			r = c.post("/api/flows/sign-up", map[string]any{"action": "sign_up", "input": map[string]string{
				"email": "eve@evil.example", "phone": "+14155550123", "username": "eve", "password": "correct horse battery staple",
			}}, nil)
			require.Equal(t, http.StatusForbidden, r.status)
			require.Equal(t, "sign_up_closed", r.errorCode(t))

			// Every action on a flow stored in each state (passkey.finish
			// on a flow waiting for the passkey, as in the report).
			for _, s := range m.States() {
				if s == flows.Done {
					continue
				}
				token, hash := flows.NewToken()
				now := time.Now()
				require.NoError(t, srv.DB.ForTenant(admin.ID).Flows().Create(ctx, &db.Flow{
					Kind: signup.Kind, State: string(s), Context: `{"identifier_kind":"email","identifier":"eve@evil.example"}`,
					TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				}))
				for _, action := range m.ActionNames() {
					r = c.post("/api/flows/sign-up/"+action, signUpInput(action), map[string]string{"X-Sesame-Flow": token})
					require.Equal(t, http.StatusForbidden, r.status, "%s in %s: %s", action, s, r.body)
					require.Equal(t, "sign_up_closed", r.errorCode(t))
				}
			}
			// The internal kind is no URL kind.
			r = c.post("/api/flows/sign_up", map[string]any{"action": "identify", "input": signUpInput("identify")}, nil)
			require.Equal(t, http.StatusNotFound, r.status)

			// The hosted pages offer no sign-up.
			require.Equal(t, http.StatusNotFound, c.do(http.MethodGet, "/sign-up", nil, nil).status)
			r = c.do(http.MethodGet, "/", nil, nil)
			require.Equal(t, http.StatusOK, r.status)
			require.NotContains(t, string(r.body), `id="sign-up-link"`)
			require.Contains(t, string(newAPIClient(t, srv, "acme").do(http.MethodGet, "/", nil, nil).body), `id="sign-up-link"`)

			// The WebAuthn register routes need a session.
			r = c.post("/webauthn/register/options", map[string]any{}, nil)
			require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
			require.Equal(t, "unauthenticated", r.errorCode(t))
			r = c.post("/webauthn/register", map[string]any{"id": "x", "type": "public-key"}, nil)
			require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
			require.Equal(t, "unauthenticated", r.errorCode(t))

			_, err = srv.DB.ForTenant(admin.ID).Users().ByIdentifier(ctx, db.IdentifierEmail, "eve@evil.example")
			require.ErrorIs(t, err, db.ErrNotFound, "no account on the admin tenant")
			r = c.do(http.MethodGet, "/console/api/tenants", nil, map[string]string{"X-Sesame-Request": "1"})
			require.Equal(t, http.StatusUnauthorized, r.status)
		})
	}
}

// TestAdminHost_ConsoleNeedsAnAdministratorRecord: a signed-in user of
// the admin tenant with no administrator record, even one with a
// membership, gets 403 console_access_denied from every console API route
// and a page saying they have no access, in their language.
func TestAdminHost_ConsoleNeedsAnAdministratorRecord(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{Development: true})
			acme := srv.CreateTenant(t, "acme", "Acme")
			_, token := newAdministratorAs(t, srv, "nobody@example.com", "", acme)
			c := newAPIClient(t, srv, tenants.AdminSlug)
			require.Equal(t, http.StatusOK, c.post("/api/setup", map[string]string{"token": token}, nil).status)
			csrf := map[string]string{"X-Sesame-Request": "1"}

			for _, r := range []apiResponse{
				c.do(http.MethodGet, "/console/api/tenants", nil, csrf),
				c.post("/console/api/tenants", map[string]string{"slug": "globex", "name": "Globex"}, csrf),
				c.post("/console/tenants/acme/graphql", map[string]any{"query": "{ tenant { slug } }"}, csrf),
				c.do(http.MethodGet, "/console/api/outbox", nil, csrf),
			} {
				require.Equal(t, http.StatusForbidden, r.status, string(r.body))
				require.Equal(t, "console_access_denied", r.errorCode(t))
			}
			_, err := srv.Tenants.BySlug(context.Background(), "globex")
			require.ErrorIs(t, err, db.ErrNotFound)

			r := c.do(http.MethodGet, "/console", nil, nil)
			require.Equal(t, http.StatusForbidden, r.status)
			require.Contains(t, string(r.body), "No access to the console")
			require.Contains(t, string(r.body), "nobody@example.com")
			require.NotContains(t, string(r.body), "console.js")
			r = c.do(http.MethodGet, "/console/tenants/acme?lang=es", nil, nil)
			require.Equal(t, http.StatusForbidden, r.status)
			require.Contains(t, string(r.body), "Sin acceso a la consola")
			r = c.do(http.MethodGet, "/dev/outbox", nil, nil)
			require.Equal(t, http.StatusForbidden, r.status)

			// Once setup gives the record, the same session reaches the console.
			admin, err := srv.Tenants.EnsureAdmin(context.Background())
			require.NoError(t, err)
			u := mustAdminUser(t, srv, "nobody@example.com")
			require.NoError(t, srv.DB.ForTenant(admin.ID).Administrators().Grant(context.Background(), u.ID, db.PlatformRoleMember, time.Now()))
			require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/console", nil, nil).status)
			require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/console/api/tenants", nil, csrf).status)
		})
	}
}

// TestAdminHost_OutboxShowsEachAdministratorTheirTenantsOnly: in
// development, the console's outbox (API and page) shows a member the
// codes of the tenants they manage, a platform owner every code, and the
// base host's /dev/outbox lists none and leads to the admin host.
func TestAdminHost_OutboxShowsEachAdministratorTheirTenantsOnly(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{Development: true})
			acme := srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			signedIn := func(email, role string, owns ...*tenants.Tenant) *apiClient {
				_, token := newAdministratorAs(t, srv, email, role, owns...)
				c := newAPIClient(t, srv, tenants.AdminSlug)
				require.Equal(t, http.StatusOK, c.post("/api/setup", map[string]string{"token": token}, nil).status)
				return c
			}
			member := signedIn("ada@example.com", db.PlatformRoleMember, acme)
			owner := signedIn("olga@example.com", db.PlatformRoleOwner)
			sendCode(t, srv, "acme", "someone@acme.example")
			sendCode(t, srv, "bravo", "someone@bravo.example")
			require.Eventually(t, func() bool { return len(srv.Outbox.Messages()) == 2 }, 10*time.Second, 10*time.Millisecond)
			csrf := map[string]string{"X-Sesame-Request": "1"}
			recipients := func(c *apiClient) []string {
				r := c.do(http.MethodGet, "/console/api/outbox", nil, csrf)
				require.Equal(t, http.StatusOK, r.status, string(r.body))
				out := []string{}
				for _, m := range r.json(t)["messages"].([]any) {
					out = append(out, m.(map[string]any)["to"].(string))
				}
				return out
			}
			require.Equal(t, []string{"someone@acme.example"}, recipients(member))
			require.ElementsMatch(t, []string{"someone@acme.example", "someone@bravo.example"}, recipients(owner))

			r := member.do(http.MethodGet, "/dev/outbox", nil, nil)
			require.Equal(t, http.StatusOK, r.status)
			require.Contains(t, string(r.body), "someone@acme.example")
			require.NotContains(t, string(r.body), "someone@bravo.example")
			r = owner.do(http.MethodGet, "/dev/outbox", nil, nil)
			require.Contains(t, string(r.body), "someone@bravo.example")
			r = newAPIClient(t, srv, tenants.AdminSlug).do(http.MethodGet, "/dev/outbox", nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, "signed out: to the sign-in page")
			require.Equal(t, "/", r.header.Get("Location"))

			base := newAPIClient(t, srv, tenants.AdminSlug)
			base.origin = "http://" + srv.BaseDomain
			r = base.do(http.MethodGet, "/dev/outbox", nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status)
			require.Equal(t, srv.URL(tenants.AdminSlug)+"/dev/outbox", r.header.Get("Location"))
			require.False(t, strings.Contains(string(r.body), "someone@"), "the base host lists no code")
		})
	}
}

// TestAdminHost_OutboxPageOnlyInDevelopment: without development there is
// no outbox page on either host.
func TestAdminHost_OutboxPageOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	c := signedInOwner(t, srv)
	r := c.do(http.MethodGet, "/dev/outbox", nil, nil)
	require.Equal(t, http.StatusNotFound, r.status)
	base := newAPIClient(t, srv, tenants.AdminSlug)
	base.origin = "http://" + srv.BaseDomain
	require.Equal(t, http.StatusNotFound, base.do(http.MethodGet, "/dev/outbox", nil, nil).status)
}

// signedInOwner is a client signed in on the admin host as a platform owner.
func signedInOwner(t *testing.T, srv *testserver.Server) *apiClient {
	t.Helper()
	_, token := newAdministrator(t, srv, "owner@example.com")
	c := newAPIClient(t, srv, tenants.AdminSlug)
	require.Equal(t, http.StatusOK, c.post("/api/setup", map[string]string{"token": token}, nil).status)
	return c
}
