package graph_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// eachBackend runs fn as a parallel subtest on each database.
func eachBackend(t *testing.T, fn func(t *testing.T, b testdb.Backend)) {
	t.Helper()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// device is a virtual authenticator with one passkey of a party's user.
type device struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice(p *party) *device {
	d := &device{
		rp:   virtualwebauthn.RelyingParty{Name: p.tenant.Name, ID: p.tenant.Slug + ".localhost", Origin: "http://" + p.host},
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: p.user.WebAuthnHandle}),
		cred: softkey.NewEC2(),
	}
	d.auth.AddCredential(d.cred)
	return d
}

// optionsPublicKey returns the publicKey member of options JSON.
func optionsPublicKey(t *testing.T, options any) string {
	t.Helper()
	var o struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	require.NoError(t, json.Unmarshal([]byte(options.(string)), &o))
	return string(o.PublicKey)
}

// addPasskey registers dev's passkey through the account API.
func (e *apiEnv) addPasskey(t *testing.T, p *party, dev *device) {
	t.Helper()
	d := e.ok(t, p, user, `mutation { beginAddPasskey { ceremony options } }`, nil)
	att, err := virtualwebauthn.ParseAttestationOptions(optionsPublicKey(t, path(d, "beginAddPasskey", "options")))
	require.NoError(t, err)
	e.ok(t, p, user, `mutation($c: String!, $r: String!) { finishAddPasskey(ceremony: $c, response: $r, name: "Phone") { id } }`,
		map[string]any{"c": path(d, "beginAddPasskey", "ceremony"), "r": virtualwebauthn.CreateAttestationResponse(dev.rp, dev.auth, dev.cred, *att)})
}

// reverifyByPasskey re-verifies p's session with dev's passkey and returns
// the answer of finishReverification.
func (e *apiEnv) reverifyByPasskey(t *testing.T, p *party, dev *device) answer {
	t.Helper()
	d := e.ok(t, p, user, `mutation { beginReverification(factor: PASSKEY) { ceremony factor options } }`, nil)
	require.Equal(t, "PASSKEY", path(d, "beginReverification", "factor"))
	opts, err := virtualwebauthn.ParseAssertionOptions(optionsPublicKey(t, path(d, "beginReverification", "options")))
	require.NoError(t, err)
	return e.post(t, p.host, user, p, `mutation($c: String!, $r: String!) { finishReverification(ceremony: $c, response: $r) { verifiedAt } }`,
		map[string]any{"c": path(d, "beginReverification", "ceremony"), "r": virtualwebauthn.CreateAssertionResponse(dev.rp, dev.auth, dev.cred, *opts)})
}

// reverifyByCode re-verifies p's session with factor (TOTP, BACKUP_CODE)
// and code, and returns the answer of finishReverification.
func (e *apiEnv) reverifyByCode(t *testing.T, p *party, factor, code string) answer {
	t.Helper()
	d := e.ok(t, p, user, `mutation($f: ReverificationFactor!) { beginReverification(factor: $f) { ceremony options sentTo } }`, map[string]any{"f": factor})
	require.Nil(t, path(d, "beginReverification", "options"))
	return e.post(t, p.host, user, p, `mutation($c: String!, $code: String!) { finishReverification(ceremony: $c, code: $code) { verifiedAt } }`,
		map[string]any{"c": path(d, "beginReverification", "ceremony"), "code": code})
}

// allFactors turns on every second factor for p's tenant.
func (e *apiEnv) allFactors(t *testing.T, p *party) {
	t.Helper()
	next := p.tenant.Settings
	next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
	tn, err := e.srv.Tenants.UpdateSettings(context.Background(), p.tenant, next, false)
	require.NoError(t, err)
	p.tenant = tn
}

// changes are the account mutations that add or remove a way to sign in
// or to verify: each needs a recent verification.
var changes = []struct {
	name, query string
}{
	{"beginAddPasskey", `mutation { beginAddPasskey { ceremony } }`},
	{"finishAddPasskey", `mutation { finishAddPasskey(ceremony: "x", response: "{}") { id } }`},
	{"removePasskey", `mutation { removePasskey(id: "0190b6a0-0000-7000-8000-000000000000") }`},
	{"removeTOTP", `mutation { removeTOTP { id } }`},
	{"removeSMSFactor", `mutation { removeSMSFactor { id } }`},
	{"beginTOTP", `mutation { beginTOTP { secret } }`},
	{"confirmTOTP", `mutation { confirmTOTP(code: "000000") { id } }`},
	{"beginSMSFactor", `mutation { beginSMSFactor(phone: "+14155550100") { binding } }`},
	{"confirmSMSFactor", `mutation { confirmSMSFactor(binding: "0190b6a0-0000-7000-8000-000000000000", code: "000000") { id } }`},
	{"regenerateBackupCodes", `mutation { regenerateBackupCodes { codes } }`},
	{"setMFA", `mutation { setMFA(enabled: true) { id } }`},
}

// TestAccount_EveryChangeNeedsARecentVerificationUntilReverified: a
// session verified 30 minutes ago is refused every change; a wrong
// passkey, TOTP code or backup code leaves it refused; the right one, by
// beginReverification / finishReverification, lets the same session (same
// token, no other session) make the changes again.
func TestAccount_EveryChangeNeedsARecentVerificationUntilReverified(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b testdb.Backend) {
		e := newAPIEnv(t, b, false)
		p := e.acme
		e.allFactors(t, p)
		dev := newDevice(p)
		e.addPasskey(t, p, dev)
		d := e.ok(t, p, user, `mutation { beginTOTP { secret } }`, nil)
		secret := path(d, "beginTOTP", "secret").(string)
		code, err := totp.GenerateCode(secret, e.clock.Now())
		require.NoError(t, err)
		e.ok(t, p, user, `mutation($c: String!) { confirmTOTP(code: $c) { id } }`, map[string]any{"c": code})
		d = e.ok(t, p, user, `mutation { regenerateBackupCodes { codes } }`, nil)
		backup := path(d, "regenerateBackupCodes", "codes", 0).(string)

		allRefused := func() {
			t.Helper()
			for _, c := range changes {
				e.refused(t, p, user, "reverification_required", c.query, nil)
			}
		}
		e.clock.Advance(30 * time.Minute)
		allRefused()
		d = e.ok(t, p, user, `{ me { reverificationFactors } }`, nil)
		require.Equal(t, []any{"PASSKEY", "TOTP", "BACKUP_CODE"}, path(d, "me", "reverificationFactors"))

		// An authenticator app: a wrong code changes nothing.
		require.Equal(t, "invalid_code", e.reverifyByCode(t, p, "TOTP", "000000").code())
		allRefused()
		code, err = totp.GenerateCode(secret, e.clock.Now())
		require.NoError(t, err)
		a := e.reverifyByCode(t, p, "TOTP", code)
		require.Empty(t, a.errors, "%+v", a.errors)
		require.Equal(t, e.clock.Now().Format(time.RFC3339), path(a.data, "finishReverification", "verifiedAt"))
		e.ok(t, p, user, `mutation { beginAddPasskey { ceremony } }`, nil)

		// A backup code: used once.
		e.clock.Advance(30 * time.Minute)
		require.Equal(t, "invalid_code", e.reverifyByCode(t, p, "BACKUP_CODE", "aaaa-bbbb").code())
		allRefused()
		a = e.reverifyByCode(t, p, "BACKUP_CODE", backup)
		require.Empty(t, a.errors, "%+v", a.errors)
		e.clock.Advance(30 * time.Minute)
		require.Equal(t, "invalid_code", e.reverifyByCode(t, p, "BACKUP_CODE", backup).code())
		allRefused()

		// A passkey: only one of the user's own.
		stranger := newDevice(p)
		require.Equal(t, "passkey_failed", e.reverifyByPasskey(t, p, stranger).code())
		allRefused()
		a = e.reverifyByPasskey(t, p, dev)
		require.Empty(t, a.errors, "%+v", a.errors)
		for _, c := range changes {
			a := e.post(t, p.host, user, p, c.query, nil)
			require.NotEqual(t, "reverification_required", a.code(), c.name)
		}

		sessions, err := e.scope(p).Sessions().ByUser(context.Background(), p.user.ID, e.clock.Now())
		require.NoError(t, err)
		require.Len(t, sessions, 1, "re-verifying issued no session and ended none")
		require.Equal(t, flows.HashToken(p.session.Token), sessions[0].TokenHash)
		require.Equal(t, "webauthn,otp,backup_code", sessions[0].AMR)
	})
}

// TestAccount_ReverificationCannotBeUsedByAnotherSession: a ceremony
// begun by one session does not verify another, even of the same user.
func TestAccount_ReverificationCannotBeUsedByAnotherSession(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b testdb.Backend) {
		e := newAPIEnv(t, b, false)
		p := e.acme
		dev := newDevice(p)
		e.addPasskey(t, p, dev)
		other := &party{tenant: p.tenant, host: p.host, user: p.user, session: e.signIn(t, p, p.user)}
		e.clock.Advance(30 * time.Minute)
		d := e.ok(t, p, user, `mutation { beginReverification(factor: PASSKEY) { ceremony options } }`, nil)
		opts, err := virtualwebauthn.ParseAssertionOptions(optionsPublicKey(t, path(d, "beginReverification", "options")))
		require.NoError(t, err)
		a := e.post(t, p.host, user, other, `mutation($c: String!, $r: String!) { finishReverification(ceremony: $c, response: $r) { verifiedAt } }`,
			map[string]any{"c": path(d, "beginReverification", "ceremony"), "r": virtualwebauthn.CreateAssertionResponse(dev.rp, dev.auth, dev.cred, *opts)})
		require.Equal(t, "unauthenticated", a.code())
		e.refused(t, p, user, "reverification_required", `mutation { beginAddPasskey { ceremony } }`, nil)
		e.refused(t, other, user, "reverification_required", `mutation { beginAddPasskey { ceremony } }`, nil)
	})
}

// TestAccount_ReverificationAttemptsAreCountedBeforeTheCheck: wrong codes
// sent at once, on PostgreSQL in parallel, are counted on the sign-in's
// per-user factor limit before each check and stay counted: no more than
// flows.FactorAttemptsPerUser are checked, and then even the right code is
// refused.
func TestAccount_ReverificationAttemptsAreCountedBeforeTheCheck(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b testdb.Backend) {
		e := newAPIEnv(t, b, false)
		p := e.acme
		e.allFactors(t, p)
		d := e.ok(t, p, user, `mutation { beginTOTP { secret } }`, nil)
		secret := path(d, "beginTOTP", "secret").(string)
		code, err := totp.GenerateCode(secret, e.clock.Now())
		require.NoError(t, err)
		e.ok(t, p, user, `mutation($c: String!) { confirmTOTP(code: $c) { id } }`, map[string]any{"c": code})
		e.clock.Advance(30 * time.Minute)

		const tries = flows.FactorAttemptsPerUser + 5
		ceremonies := make([]any, tries)
		for i := range ceremonies {
			d := e.ok(t, p, user, `mutation { beginReverification(factor: TOTP) { ceremony } }`, nil)
			ceremonies[i] = path(d, "beginReverification", "ceremony")
		}
		codes := make([]string, tries)
		var wg sync.WaitGroup
		for i := range ceremonies {
			wg.Go(func() {
				a := e.post(t, p.host, user, p, `mutation($c: String!) { finishReverification(ceremony: $c, code: "000000") { id } }`, map[string]any{"c": ceremonies[i]})
				codes[i] = a.code()
			})
		}
		wg.Wait()
		counts := map[string]int{}
		for _, c := range codes {
			counts[c]++
		}
		require.Equal(t, map[string]int{"invalid_code": flows.FactorAttemptsPerUser, "too_many_attempts": 5}, counts)

		code, err = totp.GenerateCode(secret, e.clock.Now())
		require.NoError(t, err)
		require.Equal(t, "too_many_attempts", e.reverifyByCode(t, p, "TOTP", code).code())
		e.refused(t, p, user, "reverification_required", `mutation { beginAddPasskey { ceremony } }`, nil)
	})
}

// TestAccount_ReverifyBySMSCodeSentToTheFactorPhone: an SMS re-verification
// sends a code to the user's SMS factor number only; a wrong code changes
// nothing, the right one verifies the session and adds sms to its amr.
func TestAccount_ReverifyBySMSCodeSentToTheFactorPhone(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b testdb.Backend) {
		e := newAPIEnv(t, b, false)
		p := e.acme
		e.allFactors(t, p)
		const phone = "+14155550123"
		require.NoError(t, e.scope(p).SMSFactors().Set(context.Background(), p.user.ID, phone, e.clock.Now()))
		e.clock.Advance(30 * time.Minute)
		d := e.ok(t, p, user, `{ me { reverificationFactors } }`, nil)
		require.Equal(t, []any{"SMS"}, path(d, "me", "reverificationFactors"))

		d = e.ok(t, p, user, `mutation { beginReverification(factor: SMS) { ceremony sentTo } }`, nil)
		require.Equal(t, "+1 ••• ••• 0123", path(d, "beginReverification", "sentTo"))
		ceremony := path(d, "beginReverification", "ceremony")
		sent := e.codeSentTo(t, phone)
		wrong := "000000"
		if sent == wrong {
			wrong = "111111"
		}
		finish := `mutation($c: String!, $code: String!) { finishReverification(ceremony: $c, code: $code) { verifiedAt } }`
		e.refused(t, p, user, "invalid_code", finish, map[string]any{"c": ceremony, "code": wrong})
		e.refused(t, p, user, "reverification_required", `mutation { beginAddPasskey { ceremony } }`, nil)
		e.ok(t, p, user, finish, map[string]any{"c": ceremony, "code": sent})
		e.ok(t, p, user, `mutation { beginAddPasskey { ceremony } }`, nil)
		d = e.ok(t, p, user, `{ me { sessions { amr current } } }`, nil)
		require.Equal(t, []any{"webauthn", "sms"}, path(d, "me", "sessions", 0, "amr"))

		// A factor the account does not have is refused.
		e.refused(t, p, user, "method_not_available", `mutation { beginReverification(factor: TOTP) { ceremony } }`, nil)
	})
}
