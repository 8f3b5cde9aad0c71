package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
)

// Every field of both APIs, by the role it needs.
const (
	qTenant = `{ tenant { id slug name host settingsVersion settings {
		defaultLocale
		signUp { identifiers required verifyIdentifiers password passkeyPrompt }
		signIn { methods { identifier methods } }
		password { minLength maxLength rejectCommon }
		passkeys { signIn showButton autofill allowRegistration userVerification attestation attachment counterPolicy rpId rpName origins passkeysOnRPID }
		mfa { factors policy promptAtSignUp }
		captcha { provider siteKey secretSet }
		sms { allowedCallingCodes }
		limits { codeSendsPerHour } } } }`
	qUsers = `{ users(first: 10) { nodes { id displayName identifiers { kind value verified } sso disabled mfaEnabled createdAt
		passkeys { id name authenticatorName createdAt lastUsedAt synced backupEligible transports }
		sessions { id createdAt expiresAt userAgent ip amr current }
		appGrants { id application { id name clientId } scopes grantedAt updatedAt } } pageInfo { hasNextPage endCursor } } }`
	qMe = `{ me { id displayName identifiers { kind value verified } mfaEnabled mfaOptional availableFactors
		passkeys { id name authenticatorName createdAt lastUsedAt synced backupEligible transports }
		totp smsPhone backupCodesLeft sessions { id createdAt expiresAt userAgent ip amr current } verifiedAt
		connectedApps { id application { id name clientId } scopes grantedAt updatedAt } } }`
)

// operation is one query or mutation and the role it needs.
type operation struct {
	name  string
	needs as
	query string
	vars  map[string]any
}

// operations lists every root field, with arguments naming acme's own
// objects (throwaway ones where the operation destroys them).
func operations(t *testing.T, e *apiEnv) []operation {
	t.Helper()
	p := e.acme
	ctx := context.Background()
	victim := e.newUser(t, p, "victim@acme.example")
	victimCred := e.addCredential(t, p, victim, "Victim key")
	victimSession := e.signIn(t, p, victim)
	doomed := e.newUser(t, p, "doomed@acme.example")
	cred := e.addCredential(t, p, p.user, "Phone")
	spare := e.addCredential(t, p, p.user, "Spare")
	otherSession := e.signIn(t, p, p.user)
	keys, err := e.scope(p).APIKeys().List(ctx)
	require.NoError(t, err)
	app, err := apps.Create(ctx, e.scope(p), apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{"https://shop.example.com/cb"}}, e.clock.Now())
	require.NoError(t, err)
	doomedApp, err := apps.Create(ctx, e.scope(p), apps.Spec{Name: "Old", Type: apps.TypeM2M}, e.clock.Now())
	require.NoError(t, err)
	require.NoError(t, e.scope(p).OIDCGrants().Save(ctx, victim.ID, app.App.ID, []string{"openid"}, e.clock.Now()))
	require.NoError(t, e.scope(p).OIDCGrants().Save(ctx, p.user.ID, app.App.ID, []string{"openid"}, e.clock.Now()))
	id := func(u uuid.UUID) string { return u.String() }
	return []operation{
		{"tenant", admin, qTenant, nil},
		{"users", admin, qUsers, nil},
		{"user", admin, `query($id: ID!) { user(id: $id) { id displayName } }`, map[string]any{"id": id(victim.ID)}},
		{"apiKeys", admin, `{ apiKeys { id name prefix createdAt lastUsedAt } }`, nil},
		{"updateSettings", admin, `mutation($v: Int!) { updateSettings(input: {version: $v, limits: {codeSendsPerHour: 999}}) { settingsVersion } }`, map[string]any{"v": p.tenant.SettingsVersion}},
		{"createUser", admin, `mutation { createUser(input: {email: "new@acme.example"}) { id } }`, nil},
		{"setUserDisabled", admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: true) { disabled } }`, map[string]any{"id": id(victim.ID)}},
		{"resetUserMFA", admin, `mutation($id: ID!) { resetUserMFA(id: $id) { mfaEnabled } }`, map[string]any{"id": id(victim.ID)}},
		{"removeUserPasskey", admin, `mutation($u: ID!, $p: ID!) { removeUserPasskey(userId: $u, passkeyId: $p) }`, map[string]any{"u": id(victim.ID), "p": id(victimCred.ID)}},
		{"revokeUserSession", admin, `mutation($u: ID!, $s: ID!) { revokeUserSession(userId: $u, sessionId: $s) }`, map[string]any{"u": id(victim.ID), "s": id(victimSession.Session.ID)}},
		{"revokeUserAppGrant", admin, `mutation($u: ID!, $a: ID!) { revokeUserAppGrant(userId: $u, applicationId: $a) }`, map[string]any{"u": id(victim.ID), "a": id(app.App.ID)}},
		{"deleteUser", admin, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": id(doomed.ID)}},
		{"sendTestMessage", admin, `mutation { sendTestMessage(channel: EMAIL, to: "ops@acme.example") { messageId } }`, nil},
		{"createAPIKey", admin, `mutation { createAPIKey(name: "ci") { secret apiKey { id } } }`, nil},
		{"applications", admin, `{ applications { ` + qApplication + ` } }`, nil},
		{"application", admin, `query($id: ID!) { application(id: $id) { clientId } }`, map[string]any{"id": id(app.App.ID)}},
		{"createApplication", admin, `mutation { createApplication(input: {name: "Jobs", type: M2M}) { secret application { id } } }`, nil},
		{"updateApplication", admin, `mutation($id: ID!) { updateApplication(id: $id, input: {name: "Shop 2"}) { name } }`, map[string]any{"id": id(app.App.ID)}},
		{"rotateApplicationSecret", admin, `mutation($id: ID!) { rotateApplicationSecret(id: $id) { secret } }`, map[string]any{"id": id(app.App.ID)}},
		{"deleteApplication", admin, `mutation($id: ID!) { deleteApplication(id: $id) }`, map[string]any{"id": id(doomedApp.App.ID)}},
		{"createRecoveryLink", admin, `mutation($u: ID!) { createRecoveryLink(userId: $u) { url expiresAt } }`, map[string]any{"u": id(victim.ID)}},
		{"emailRecoveryLink", admin, `mutation($u: ID!) { emailRecoveryLink(userId: $u) }`, map[string]any{"u": id(victim.ID)}},
		{"inviteUser", admin, `mutation { inviteUser(email: "invitee@acme.example", name: "Ivy") { id displayName } }`, nil},
		// Last of the administrator's: it revokes the key they all use.
		{"revokeAPIKey", admin, `mutation($id: ID!) { revokeAPIKey(id: $id) }`, map[string]any{"id": id(keys[0].ID)}},

		{"me", user, qMe, nil},
		{"beginAddPasskey", user, `mutation { beginAddPasskey { ceremony options } }`, nil},
		{"finishAddPasskey", user, `mutation { finishAddPasskey(ceremony: "none", response: "{}") { id } }`, nil},
		{"renamePasskey", user, `mutation($id: ID!) { renamePasskey(id: $id, name: "Renamed") { name } }`, map[string]any{"id": id(cred.ID)}},
		{"removePasskey", user, `mutation($id: ID!) { removePasskey(id: $id) }`, map[string]any{"id": id(spare.ID)}},
		{"beginTOTP", user, `mutation { beginTOTP { secret otpauthUrl qrCode } }`, nil},
		{"confirmTOTP", user, `mutation { confirmTOTP(code: "000000") { mfaEnabled } }`, nil},
		{"removeTOTP", user, `mutation { removeTOTP { mfaEnabled } }`, nil},
		{"beginSMSFactor", user, `mutation { beginSMSFactor(phone: "+14155550100") { binding sentTo } }`, nil},
		{"confirmSMSFactor", user, `mutation($b: String!) { confirmSMSFactor(binding: $b, code: "000000") { mfaEnabled } }`, map[string]any{"b": uuid.NewString()}},
		{"removeSMSFactor", user, `mutation { removeSMSFactor { mfaEnabled } }`, nil},
		{"regenerateBackupCodes", user, `mutation { regenerateBackupCodes { codes } }`, nil},
		{"setMFA", user, `mutation { setMFA(enabled: true) { mfaEnabled } }`, nil},
		{"revokeSession", user, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": id(otherSession.Session.ID)}},
		{"revokeAppAccess", user, `mutation($a: ID!) { revokeAppAccess(applicationId: $a) }`, map[string]any{"a": id(app.App.ID)}},
		{"beginReverification", user, `mutation { beginReverification(factor: PASSKEY) { ceremony options } }`, nil},
		{"finishReverification", user, `mutation { finishReverification(ceremony: "none", code: "000000") { id } }`, nil},
	}
}

// fingerprint is what a refused request must leave as it was: every
// user of both tenants with their identifiers, flags, passkeys (and
// names), sessions and factors, the API keys and the settings version.
func fingerprint(t *testing.T, e *apiEnv) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	for _, p := range []*party{e.acme, e.bravo} {
		scope := e.scope(p)
		tn, err := e.srv.Tenants.BySlug(ctx, p.tenant.Slug)
		require.NoError(t, err)
		fmt.Fprintf(&out, "%s settings v%d\n", p.tenant.Slug, tn.SettingsVersion)
		keys, err := scope.APIKeys().List(ctx)
		require.NoError(t, err)
		for _, k := range keys {
			fmt.Fprintf(&out, " key %s %s\n", k.ID, k.Name)
		}
		list, err := scope.OIDCApps().List(ctx)
		require.NoError(t, err)
		for _, a := range list {
			fmt.Fprintf(&out, " app %s %s %x\n", a.ClientID, a.Name, a.SecretHash)
		}
		users, _, err := scope.Users().List(ctx, db.UserPage{Limit: 100})
		require.NoError(t, err)
		for _, u := range users {
			fmt.Fprintf(&out, " user %s %s disabled=%v mfa=%v\n", u.ID, u.DisplayName, u.DisabledAt != nil, u.MFAEnabled)
			creds, err := scope.Credentials().ByUser(ctx, u.ID, "")
			require.NoError(t, err)
			for _, c := range creds {
				fmt.Fprintf(&out, "  passkey %s %s\n", c.ID, c.Name)
			}
			sessions, err := scope.Sessions().ByUser(ctx, u.ID, e.clock.Now())
			require.NoError(t, err)
			fmt.Fprintf(&out, "  sessions %d\n", len(sessions))
			grants, err := scope.OIDCGrants().ByUser(ctx, u.ID)
			require.NoError(t, err)
			for _, g := range grants {
				fmt.Fprintf(&out, "  grant %s %v\n", g.App.ClientID, g.Scopes)
			}
			codes, err := scope.BackupCodes().Unused(ctx, u.ID)
			require.NoError(t, err)
			_, totpErr := scope.TOTP().Get(ctx, u.ID)
			_, smsErr := scope.SMSFactors().Get(ctx, u.ID)
			fmt.Fprintf(&out, "  backup=%d totp=%v sms=%v\n", len(codes), totpErr == nil, smsErr == nil)
		}
	}
	return out.String()
}

func TestAuthz_EveryFieldByEveryRoleAndTenant(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			ops := operations(t, e)
			before := fingerprint(t, e)

			for _, op := range ops {
				wrong := admin
				if op.needs == admin {
					wrong = user
				}
				// Anonymous: no credentials.
				a := e.post(t, e.acme.host, anonymous, nil, op.query, op.vars)
				require.Equal(t, "unauthenticated", a.code(), "%s anonymous: %+v", op.name, a)
				require.Nil(t, a.data[op.name], op.name)
				// The other API's role, of the same tenant (bearer and cookie).
				a = e.post(t, e.acme.host, wrong, e.acme, op.query, op.vars)
				require.Equal(t, "forbidden", a.code(), "%s as %s: %+v", op.name, wrong, a)
				require.Nil(t, a.data[op.name], op.name)
				if wrong == user {
					a = e.post(t, e.acme.host, cookieUser, e.acme, op.query, op.vars)
					require.Equal(t, "forbidden", a.code(), "%s as cookie user: %+v", op.name, a)
				}
				// Bravo's key and bravo's user, sent to acme's host: not
				// credentials here at all.
				for _, who := range []as{admin, user} {
					a = e.post(t, e.acme.host, who, e.bravo, op.query, op.vars)
					require.Equal(t, http.StatusUnauthorized, a.status, "%s as bravo %s", op.name, who)
					require.Equal(t, "unauthenticated", a.code())
					require.Nil(t, a.data)
				}
			}
			require.Equal(t, before, fingerprint(t, e), "a refused request changed something")

			// The right role gets past authorization on every field.
			for _, op := range ops {
				a := e.post(t, e.acme.host, op.needs, e.acme, op.query, op.vars)
				require.NotContains(t, []string{"unauthenticated", "forbidden"}, a.code(), "%s as %s: %+v", op.name, op.needs, a)
				if op.needs == user {
					a = e.post(t, e.acme.host, cookieUser, e.acme, op.query, op.vars)
					require.NotContains(t, []string{"unauthenticated", "forbidden", "csrf_header_missing"}, a.code(), "%s as cookie user: %+v", op.name, a)
				}
			}
			require.NotEqual(t, before, fingerprint(t, e))
		})
	}
}
