package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/pquerna/otp/totp"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestAccount_AddRenameRemovePasskeyWithTheVirtualAuthenticator(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme

			d := e.ok(t, p, user, `mutation { beginAddPasskey { ceremony options } }`, nil)
			var opts struct {
				PublicKey json.RawMessage `json:"publicKey"`
			}
			require.NoError(t, json.Unmarshal([]byte(path(d, "beginAddPasskey", "options").(string)), &opts))
			att, err := virtualwebauthn.ParseAttestationOptions(string(opts.PublicKey))
			require.NoError(t, err)
			require.Equal(t, "acme.localhost", att.RelyingPartyID)
			require.Equal(t, string(p.user.WebAuthnHandle), att.UserID)

			rp := virtualwebauthn.RelyingParty{Name: "Acme", ID: "acme.localhost", Origin: "http://" + p.host}
			auth := virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: p.user.WebAuthnHandle, BackupEligible: true})
			cred := softkey.NewEC2()
			auth.AddCredential(cred)
			response := virtualwebauthn.CreateAttestationResponse(rp, auth, cred, *att)
			const finish = `mutation($c: String!, $r: String!) { finishAddPasskey(ceremony: $c, response: $r, name: " Work laptop ") {
				id name synced backupEligible createdAt lastUsedAt } }`
			vars := map[string]any{"c": path(d, "beginAddPasskey", "ceremony"), "r": response}
			d = e.ok(t, p, user, finish, vars)
			require.Equal(t, "Work laptop", path(d, "finishAddPasskey", "name"))
			require.Equal(t, true, path(d, "finishAddPasskey", "backupEligible"))
			require.Equal(t, false, path(d, "finishAddPasskey", "synced"), "device-bound: BE without BS")
			require.Nil(t, path(d, "finishAddPasskey", "lastUsedAt"))
			id := path(d, "finishAddPasskey", "id").(string)

			// The same response again: the ceremony was used up.
			a := e.post(t, p.host, user, p, finish, vars)
			require.NotEmpty(t, a.errors)
			creds, err := e.scope(p).Credentials().ByUser(context.Background(), p.user.ID, "")
			require.NoError(t, err)
			require.Len(t, creds, 1)

			// Another user cannot finish this user's ceremony.
			d = e.ok(t, p, user, `mutation { beginAddPasskey { ceremony options } }`, nil)
			other := &party{tenant: p.tenant, host: p.host, session: e.signIn(t, p, e.newUser(t, p, "mallory@acme.example"))}
			a = e.post(t, p.host, user, other, finish, map[string]any{"c": path(d, "beginAddPasskey", "ceremony"), "r": response})
			require.Equal(t, "unauthenticated", a.code())

			d = e.ok(t, p, user, `mutation($id: ID!) { renamePasskey(id: $id, name: "Home laptop") { name } }`, map[string]any{"id": id})
			require.Equal(t, "Home laptop", path(d, "renamePasskey", "name"))
			a = e.post(t, p.host, user, p, `mutation($id: ID!) { renamePasskey(id: $id, name: "  ") { name } }`, map[string]any{"id": id})
			require.Equal(t, "invalid_input", a.code())
			require.Equal(t, "name", a.errors[0].Extensions["field"])

			d = e.ok(t, p, user, qMe, nil)
			require.Equal(t, "Home laptop", path(d, "me", "passkeys", 0, "name"))
			require.Equal(t, true, path(d, "me", "sessions", 0, "current"))

			// Ada has a password too, so the passkey is not her last method.
			e.ok(t, p, user, `mutation($id: ID!) { removePasskey(id: $id) }`, map[string]any{"id": id})
			creds, err = e.scope(p).Credentials().ByUser(context.Background(), p.user.ID, "")
			require.NoError(t, err)
			require.Empty(t, creds)
		})
	}
}

func TestAccount_ChangesNeedARecentVerificationAndKeepALastMethod(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			ctx := context.Background()
			cred := e.addCredential(t, p, p.user, "Phone")
			// Ada signs in by passkey only: no password.
			require.NoError(t, e.scope(p).Users().SetPassword(ctx, p.user.ID, ""))
			remove := `mutation($id: ID!) { removePasskey(id: $id) }`
			vars := map[string]any{"id": cred.ID.String()}

			// Her email is verified, but this tenant has code sign-in off for
			// email: the passkey is her last way in.
			next := p.tenant.Settings
			next.SignIn.Methods = map[string][]string{tenants.IdentifierEmail: {tenants.MethodPassword}}
			tn, err := e.srv.Tenants.UpdateSettings(ctx, p.tenant, next, false)
			require.NoError(t, err)
			p.tenant = tn
			e.refused(t, p, user, "last_sign_in_method", remove, vars)

			// Eleven minutes later every change asks to verify again; reading
			// does not.
			e.clock.Advance(graph.RecentVerification + time.Minute)
			e.ok(t, p, user, qMe, nil)
			for _, q := range []string{
				`mutation { beginAddPasskey { ceremony } }`,
				`mutation { beginTOTP { secret } }`,
				`mutation { removeTOTP { id } }`,
				`mutation { beginSMSFactor(phone: "+14155550100") { binding } }`,
				`mutation { removeSMSFactor { id } }`,
				`mutation { regenerateBackupCodes { codes } }`,
				`mutation { setMFA(enabled: false) { id } }`,
			} {
				e.refused(t, p, user, "reverification_required", q, nil)
			}
			e.refused(t, p, user, "reverification_required", remove, vars)

			// A fresh sign-in is a recent verification; with code sign-in by
			// email on again, the passkey is no longer the last way in.
			p.session = e.signIn(t, p, p.user)
			next.SignIn.Methods = tenants.DefaultSignIn().Methods
			tn, err = e.srv.Tenants.UpdateSettings(ctx, p.tenant, next, false)
			require.NoError(t, err)
			p.tenant = tn
			e.ok(t, p, user, remove, vars)
		})
	}
}

func TestAccount_TwoStepFactorsTOTPSMSBackupCodesAndPolicy(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			ctx := context.Background()
			next := p.tenant.Settings
			next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
			tn, err := e.srv.Tenants.UpdateSettings(ctx, p.tenant, next, false)
			require.NoError(t, err)
			p.tenant = tn

			// No factor yet: 2-step verification cannot be turned on, and
			// backup codes have nothing to back up.
			e.refused(t, p, user, "action_not_allowed", `mutation { setMFA(enabled: true) { mfaEnabled } }`, nil)
			e.refused(t, p, user, "action_not_allowed", `mutation { regenerateBackupCodes { codes } }`, nil)

			// TOTP: the QR code is a PNG, the first right code binds the app
			// and turns 2-step verification on; the same code twice fails.
			d := e.ok(t, p, user, `mutation { beginTOTP { secret otpauthUrl qrCode } }`, nil)
			secret := path(d, "beginTOTP", "secret").(string)
			require.True(t, strings.HasPrefix(path(d, "beginTOTP", "qrCode").(string), "data:image/png;base64,"))
			require.Contains(t, path(d, "beginTOTP", "otpauthUrl"), "issuer=Acme")
			e.refused(t, p, user, "invalid_code", `mutation { confirmTOTP(code: "12345") { mfaEnabled } }`, nil)
			code, err := totp.GenerateCode(secret, e.clock.Now())
			require.NoError(t, err)
			d = e.ok(t, p, user, `mutation($c: String!) { confirmTOTP(code: $c) { mfaEnabled } }`, map[string]any{"c": code})
			require.Equal(t, true, path(d, "confirmTOTP", "mfaEnabled"))
			e.refused(t, p, user, "action_not_allowed", `mutation($c: String!) { confirmTOTP(code: $c) { mfaEnabled } }`, map[string]any{"c": code})
			e.refused(t, p, user, "factor_exists", `mutation { beginTOTP { secret } }`, nil)

			// Backup codes: ten, shown once; regenerating replaces them.
			d = e.ok(t, p, user, `mutation { regenerateBackupCodes { codes } }`, nil)
			first := path(d, "regenerateBackupCodes", "codes").([]any)
			require.Len(t, first, 10)
			d = e.ok(t, p, user, `mutation { regenerateBackupCodes { codes } }`, nil)
			second := path(d, "regenerateBackupCodes", "codes").([]any)
			require.NotEqual(t, first, second)
			stored, err := e.scope(p).BackupCodes().Unused(ctx, p.user.ID)
			require.NoError(t, err)
			require.Len(t, stored, 10)
			hashes := make([][]byte, len(stored))
			for i, c := range stored {
				hashes[i] = c.CodeHash
			}
			_, ok := backupcode.Match(first[0].(string), hashes)
			require.False(t, ok, "the old codes stopped working")
			_, ok = backupcode.Match(second[0].(string), hashes)
			require.True(t, ok)

			// SMS: a code to the number binds it; the wrong code does not.
			d = e.ok(t, p, user, `mutation { beginSMSFactor(phone: "+1 415 555 0100") { binding sentTo } }`, nil)
			require.Equal(t, "+1 ••• ••• 0100", path(d, "beginSMSFactor", "sentTo"))
			binding := path(d, "beginSMSFactor", "binding").(string)
			sent := e.codeSentTo(t, "+14155550100")
			require.NotContains(t, binding, sent)
			wrong := "000000"
			if sent == wrong {
				wrong = "111111"
			}
			confirm := `mutation($b: String!, $c: String!) { confirmSMSFactor(binding: $b, code: $c) { mfaEnabled } }`
			e.refused(t, p, user, "invalid_code", confirm, map[string]any{"b": binding, "c": wrong})
			// Another session of the same user cannot use this binding.
			other := &party{tenant: p.tenant, host: p.host, session: e.signIn(t, p, p.user)}
			e.refused(t, other, user, "invalid_code", confirm, map[string]any{"b": binding, "c": sent})
			e.ok(t, p, user, confirm, map[string]any{"b": binding, "c": sent})
			d = e.ok(t, p, user, `{ me { smsPhone totp backupCodesLeft mfaEnabled mfaOptional availableFactors } }`, nil)
			require.Equal(t, "+1 ••• ••• 0100", path(d, "me", "smsPhone"))
			require.Equal(t, true, path(d, "me", "totp"))
			require.Equal(t, float64(10), path(d, "me", "backupCodesLeft"))

			// Removing factors: with one left 2-step stays on; with none it
			// turns off (user-controlled).
			d = e.ok(t, p, user, `mutation { removeTOTP { mfaEnabled } }`, nil)
			require.Equal(t, true, path(d, "removeTOTP", "mfaEnabled"))
			d = e.ok(t, p, user, `mutation { removeSMSFactor { mfaEnabled } }`, nil)
			require.Equal(t, false, path(d, "removeSMSFactor", "mfaEnabled"))

			// Mandatory: cannot be turned off, the last factor stays.
			e.addCredential(t, p, p.user, "Phone")
			e.ok(t, p, user, `mutation { setMFA(enabled: true) { mfaEnabled } }`, nil)
			next.MFA.Policy = tenants.MFAMandatory
			tn, err = e.srv.Tenants.UpdateSettings(ctx, p.tenant, next, false)
			require.NoError(t, err)
			p.tenant = tn
			e.refused(t, p, user, "mfa_required_by_policy", `mutation { setMFA(enabled: false) { mfaEnabled } }`, nil)
			d = e.ok(t, p, user, `{ me { mfaOptional passkeys { id } } }`, nil)
			require.Equal(t, false, path(d, "me", "mfaOptional"))
			e.refused(t, p, user, "mfa_required_by_policy", `mutation($id: ID!) { removePasskey(id: $id) }`, map[string]any{"id": path(d, "me", "passkeys", 0, "id")})
		})
	}
}

func TestAccount_SessionsListAndRevoke(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			laptop := e.signIn(t, p, p.user)
			d := e.ok(t, p, user, `{ me { sessions { id current amr userAgent } } }`, nil)
			sessions := path(d, "me", "sessions").([]any)
			require.Len(t, sessions, 2)
			current := 0
			for _, s := range sessions {
				if path(s, "current") == true {
					current++
					require.Equal(t, p.session.Session.ID.String(), path(s, "id"))
				}
				require.Equal(t, []any{"webauthn"}, path(s, "amr"))
			}
			require.Equal(t, 1, current)
			e.ok(t, p, user, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": laptop.Session.ID.String()})
			gone := &party{tenant: p.tenant, host: p.host, session: laptop}
			a := e.post(t, p.host, user, gone, qMe, nil)
			require.Equal(t, "unauthenticated", a.code())
		})
	}
}
