package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestManagement_SettingsRoundTripWithVersionCheckAndFieldErrors(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			d := e.ok(t, p, admin, qTenant, nil)
			require.Equal(t, "acme", path(d, "tenant", "slug"))
			require.Equal(t, p.host, path(d, "tenant", "host"))
			require.Equal(t, "acme.localhost", path(d, "tenant", "settings", "passkeys", "rpId"))
			require.Equal(t, "USER_CONTROLLED", path(d, "tenant", "settings", "mfa", "policy"))
			require.Equal(t, []any{"WEBAUTHN", "TOTP", "BACKUP_CODES"}, path(d, "tenant", "settings", "mfa", "factors"))
			require.Equal(t, "ANY", path(d, "tenant", "settings", "passkeys", "attachment"))
			v := int(path(d, "tenant", "settingsVersion").(float64))

			// Enable the WebAuthn factor with a mandatory policy and
			// cross-platform authenticators, as the console does.
			const update = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { settingsVersion settings {
				mfa { factors policy } passkeys { attachment autofill } captcha { provider siteKey secretSet } } } }`
			in := map[string]any{"version": v,
				"mfa":      map[string]any{"factors": []string{"WEBAUTHN", "TOTP", "SMS", "BACKUP_CODES"}, "policy": "MANDATORY", "promptAtSignUp": true},
				"passkeys": map[string]any{"signIn": true, "showButton": true, "autofill": true, "allowRegistration": true, "userVerification": "REQUIRED", "attestation": "NONE", "attachment": "CROSS_PLATFORM", "counterPolicy": "FLAG"},
				"captcha":  map[string]any{"provider": "TURNSTILE", "siteKey": "site-key", "secret": "very-secret"},
			}
			d = e.ok(t, p, admin, update, map[string]any{"in": in})
			require.Equal(t, "MANDATORY", path(d, "updateSettings", "settings", "mfa", "policy"))
			require.Equal(t, "CROSS_PLATFORM", path(d, "updateSettings", "settings", "passkeys", "attachment"))
			require.Equal(t, true, path(d, "updateSettings", "settings", "captcha", "secretSet"))
			stored, err := e.srv.Tenants.BySlug(context.Background(), "acme")
			require.NoError(t, err)
			require.Equal(t, "cross-platform", stored.Settings.Passkeys.Attachment)
			require.Equal(t, "very-secret", stored.Settings.Captcha.Secret)

			// The secret is write-only: no field returns it.
			a := e.post(t, p.host, admin, p, `{ tenant { settings { captcha { secret } } } }`, nil)
			require.Equal(t, "GRAPHQL_VALIDATION_FAILED", a.code())
			raw := fmt.Sprint(e.ok(t, p, admin, qTenant, nil))
			require.NotContains(t, raw, "very-secret")

			// A stale version: someone else saved in between.
			a = e.post(t, p.host, admin, p, update, map[string]any{"in": in})
			require.Equal(t, "settings_changed", a.code())

			// A field error names the field and leaves the settings alone.
			in["version"] = stored.SettingsVersion
			in["mfa"] = map[string]any{"factors": []string{"BACKUP_CODES"}, "policy": "USER_CONTROLLED", "promptAtSignUp": true}
			a = e.post(t, p.host, admin, p, update, map[string]any{"in": in})
			require.Equal(t, "invalid_input", a.code())
			require.Equal(t, "mfa.factors", a.errors[0].Extensions["field"])
			require.Contains(t, a.errors[0].Message, "backup codes recover a second factor")
			again, err := e.srv.Tenants.BySlug(context.Background(), "acme")
			require.NoError(t, err)
			require.Equal(t, stored.SettingsVersion, again.SettingsVersion)

			// The RP-ID guard: a passkey is bound to acme.localhost, so moving
			// the RP ID needs confirmation.
			e.addCredential(t, p, p.user, "Phone")
			in["mfa"] = map[string]any{"factors": []string{"WEBAUTHN"}, "policy": "MANDATORY", "promptAtSignUp": true}
			pk := in["passkeys"].(map[string]any)
			pk["rpId"] = "localhost"
			a = e.post(t, p.host, admin, p, update, map[string]any{"in": in})
			require.Equal(t, "rp_id_change_needs_confirmation", a.code())
			require.Contains(t, a.errors[0].Message, "strands 1 passkey")
			in["confirmRPIDChange"] = true
			e.ok(t, p, admin, update, map[string]any{"in": in})
			again, err = e.srv.Tenants.BySlug(context.Background(), "acme")
			require.NoError(t, err)
			require.Equal(t, "localhost", again.Settings.Passkeys.RPID)
		})
	}
}

func TestManagement_UsersPageSearchAndFixedStatementCount(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			for i := range 12 {
				u := e.newUser(t, p, fmt.Sprintf("user%02d@acme.example", i))
				e.addCredential(t, p, u, "Key A")
				e.addCredential(t, p, u, "Key B")
			}
			const page = `query($after: String, $q: String) { users(first: 5, after: $after, search: $q) {
				nodes { displayName identifiers { value } passkeys { name authenticatorName synced transports } }
				pageInfo { hasNextPage endCursor } } }`

			// Pages of 5, newest first, each with two passkeys per user.
			var names []string
			var after any
			for {
				d := e.ok(t, p, admin, page, map[string]any{"after": after})
				for _, n := range path(d, "users", "nodes").([]any) {
					names = append(names, path(n, "displayName").(string))
				}
				if path(d, "users", "pageInfo", "hasNextPage") != true {
					break
				}
				after = path(d, "users", "pageInfo", "endCursor")
			}
			require.Len(t, names, 13, "twelve users and ada")
			require.Equal(t, "user11@acme.example", names[0])
			require.Equal(t, "ada@acme.example", names[12])

			d := e.ok(t, p, admin, page, map[string]any{"q": "USER1"})
			nodes := path(d, "users", "nodes").([]any)
			require.Len(t, nodes, 2, "user10 and user11")
			require.Equal(t, "Windows Hello", path(nodes[0], "passkeys", 0, "authenticatorName"))
			require.Equal(t, true, path(nodes[0], "passkeys", 0, "synced"))
			require.Equal(t, []any{"internal", "hybrid"}, path(nodes[0], "passkeys", 0, "transports"))
			d = e.ok(t, p, admin, page, map[string]any{"q": "user_"})
			require.Empty(t, path(d, "users", "nodes"), "_ is not a wildcard")

			// Statements for a page do not grow with its users: 5 or 1 user,
			// the same count (API key, page, identifiers, passkeys; the
			// tenant comes from the process's cache).
			count := func(first int) int {
				ctx, n := db.CountStatements(context.Background())
				a := e.post(t, p.host, admin, p, fmt.Sprintf(`{ users(first: %d) { nodes { identifiers { value } passkeys { name } } } }`, first), nil,
					func(r *client.Request) { r.HTTP = r.HTTP.WithContext(ctx) })
				require.Empty(t, a.errors)
				return n.N()
			}
			require.Equal(t, count(1), count(5))
			require.LessOrEqual(t, count(5), 4)

			a := e.post(t, p.host, admin, p, `{ users(first: 101) { nodes { id } } }`, nil)
			require.Equal(t, "invalid_input", a.code())
			require.Equal(t, "first", a.errors[0].Extensions["field"])
		})
	}
}

func TestManagement_UserLifecycleAndOtherTenantsIDs(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p, q := e.acme, e.bravo
			ctx := context.Background()

			d := e.ok(t, p, admin, `mutation { createUser(input: {email: "Eve@Acme.Example", displayName: "Eve"}) { id displayName identifiers { kind value verified } } }`, nil)
			require.Equal(t, "eve@acme.example", path(d, "createUser", "identifiers", 0, "value"))
			require.Equal(t, "EMAIL", path(d, "createUser", "identifiers", 0, "kind"))
			require.Equal(t, true, path(d, "createUser", "identifiers", 0, "verified"), "the administrator vouches for it")
			a := e.post(t, p.host, admin, p, `mutation { createUser(input: {email: "eve@acme.example"}) { id } }`, nil)
			require.Equal(t, "invalid_input", a.code())
			a = e.post(t, p.host, admin, p, `mutation { createUser(input: {phone: "12345"}) { id } }`, nil)
			require.Equal(t, "invalid_input", a.code())
			require.Equal(t, "phone", a.errors[0].Extensions["field"])

			// Disable: the user's session stops working at once.
			vars := map[string]any{"id": p.user.ID.String()}
			d = e.ok(t, p, admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: true) { disabled } }`, vars)
			require.Equal(t, true, path(d, "setUserDisabled", "disabled"))
			a = e.post(t, p.host, user, p, qMe, nil)
			require.Equal(t, http.StatusUnauthorized, a.status)
			e.ok(t, p, admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: false) { disabled } }`, vars)
			e.ok(t, p, user, qMe, nil)

			// Reset MFA removes every second factor.
			require.NoError(t, e.scope(p).TOTP().Start(ctx, p.user.ID, "JBSWY3DPEHPK3PXP", e.clock.Now()))
			require.NoError(t, e.scope(p).SMSFactors().Set(ctx, p.user.ID, "+14155550100", e.clock.Now()))
			require.NoError(t, e.scope(p).BackupCodes().Replace(ctx, p.user.ID, [][]byte{{1}, {2}}, e.clock.Now()))
			require.NoError(t, e.scope(p).Users().SetMFA(ctx, p.user.ID, true))
			d = e.ok(t, p, admin, `mutation($id: ID!) { resetUserMFA(id: $id) { mfaEnabled } }`, vars)
			require.Equal(t, false, path(d, "resetUserMFA", "mfaEnabled"))
			_, err := e.scope(p).TOTP().Get(ctx, p.user.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
			_, err = e.scope(p).SMSFactors().Get(ctx, p.user.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
			codes, err := e.scope(p).BackupCodes().Unused(ctx, p.user.ID)
			require.NoError(t, err)
			require.Empty(t, codes)

			// Bravo's objects named on acme's host, with acme's key: not found,
			// and bravo keeps them.
			bravoCred := e.addCredential(t, q, q.user, "Bravo key")
			keys, err := e.scope(q).APIKeys().List(ctx)
			require.NoError(t, err)
			before := fingerprint(t, e)
			bu := map[string]any{"id": q.user.ID.String()}
			d = e.ok(t, p, admin, `query($id: ID!) { user(id: $id) { id } }`, bu)
			require.Nil(t, d["user"])
			for query, vars := range map[string]map[string]any{
				`mutation($id: ID!) { setUserDisabled(id: $id, disabled: true) { id } }`:                                 bu,
				`mutation($id: ID!) { deleteUser(id: $id) }`:                                                             bu,
				`mutation($id: ID!) { resetUserMFA(id: $id) { id } }`:                                                    bu,
				`mutation($u: ID!, $p: ID!) { removeUserPasskey(userId: $u, passkeyId: $p) }`:                            {"u": q.user.ID.String(), "p": bravoCred.ID.String()},
				`mutation($u: ID!, $s: ID!) { revokeUserSession(userId: $u, sessionId: $s) }`:                            {"u": q.user.ID.String(), "s": q.session.Session.ID.String()},
				`mutation($id: ID!) { revokeAPIKey(id: $id) }`:                                                           {"id": keys[0].ID.String()},
				`mutation($u: ID!, $p: ID!) { removeUserPasskey(userId: $u, passkeyId: $p) } # acme user, bravo passkey`: {"u": p.user.ID.String(), "p": bravoCred.ID.String()},
			} {
				a := e.post(t, p.host, admin, p, query, vars)
				require.Equal(t, "not_found", a.code(), query)
			}
			// Acme's user naming bravo's passkey and session.
			a = e.post(t, p.host, user, p, `mutation($id: ID!) { renamePasskey(id: $id, name: "Mine") { id } }`, map[string]any{"id": bravoCred.ID.String()})
			require.Equal(t, "not_found", a.code())
			a = e.post(t, p.host, user, p, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": q.session.Session.ID.String()})
			require.Equal(t, "not_found", a.code())
			require.Equal(t, before, fingerprint(t, e))

			// API keys: created (secret once), listed without it, revoked.
			d = e.ok(t, p, admin, `mutation { createAPIKey(name: "ci") { secret apiKey { id prefix } } }`, nil)
			secret := path(d, "createAPIKey", "secret").(string)
			require.True(t, strings.HasPrefix(secret, graph.APIKeyPrefix))
			require.True(t, strings.HasPrefix(secret, path(d, "createAPIKey", "apiKey", "prefix").(string)))
			listed := fmt.Sprint(e.ok(t, p, admin, `{ apiKeys { id name prefix } }`, nil))
			require.NotContains(t, listed, secret)
			fresh := &party{tenant: p.tenant, host: p.host, key: secret}
			e.ok(t, fresh, admin, `{ tenant { slug } }`, nil)
			e.ok(t, p, admin, `mutation($id: ID!) { revokeAPIKey(id: $id) }`, map[string]any{"id": path(d, "createAPIKey", "apiKey", "id")})
			a = e.post(t, p.host, admin, fresh, `{ tenant { slug } }`, nil)
			require.Equal(t, http.StatusUnauthorized, a.status)

			// Delete removes the user and what is theirs.
			e.ok(t, p, admin, `mutation($id: ID!) { deleteUser(id: $id) }`, vars)
			_, err = e.scope(p).Users().ByID(ctx, p.user.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
			a = e.post(t, p.host, user, p, qMe, nil)
			require.Equal(t, http.StatusUnauthorized, a.status)
		})
	}
}
