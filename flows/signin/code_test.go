package signin_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
)

// sendCode runs code.send on token.
func (e *signInEnv) sendCode(token string) (*flows.Result, error) {
	return e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionCodeSend, nil, e.req)
}

// verifyCode runs code.verify on token with code.
func (e *signInEnv) verifyCode(token, code string) (*flows.Result, error) {
	return e.run(token, signin.ActionCodeVerify, map[string]string{"code": code})
}

// messagesTo returns the bodies of the messages sent to to, newest first.
func (e *signInEnv) messagesTo(to string) []string {
	var out []string
	for _, m := range e.Outbox.Messages() {
		if m.To == to {
			out = append(out, m.Body)
		}
	}
	return out
}

// sentCode sends a code on token and returns the value the job delivered
// to recipient, with the send's result.
func (e *signInEnv) sentCode(t *testing.T, token, recipient string) (string, *flows.Result) {
	t.Helper()
	before := e.Sent(recipient)
	res, err := e.sendCode(token)
	require.NoError(t, err)
	require.Equal(t, signin.Code, res.State)
	return e.CodeTo(t, recipient, before), res
}

// requireNoCode fails if any of vs, as JSON, contains code.
func requireNoCode(t *testing.T, code string, vs ...any) {
	t.Helper()
	for _, v := range vs {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		require.NotContains(t, string(b), code)
	}
}

func TestCode_AnEmailCodeSignsInWithOTPAndNoResponseHoldsTheCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)

		token := e.start(t)
		idRes := e.identify(t, token, ada.email)
		code, sent := e.sentCode(t, token, ada.email)
		require.JSONEq(t, `{"channel":"email","sent_to":"`+ada.email+`"}`, string(mustJSON(t, sent.Output)))
		require.NotNil(t, e.flow(t, token))
		require.NotContains(t, e.flow(t, token).Context, code)

		res, err := e.verifyCode(token, code)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.NotNil(t, res.Session)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
		require.Equal(t, flows.AMROTP, res.Session.Session.AMR)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
		requireNoCode(t, code, idRes, sent, res.Output, res.State, res.Actions)
	})
}

func TestCode_AUserWithTwoStepVerificationGoesToMFAWithNoSession(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _, backup := e.mfaUser(t, "bob")

		token := e.start(t)
		require.Equal(t, signin.Passkey, e.identify(t, token, bob.email).State)
		code, _ := e.sentCode(t, token, bob.email)
		res, err := e.verifyCode(token, code)
		require.NoError(t, err)
		require.Equal(t, signin.MFA, res.State)
		require.Nil(t, res.Session)
		require.Zero(t, e.sessions(t, bob.user.ID))

		res, err = e.run(token, signin.ActionMFABackupCode, map[string]string{"code": backup[0]})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, "otp,backup_code,mfa", res.Session.Session.AMR)
	})
}

func TestCode_AnUnknownEmailLooksTheSameAndEveryCodeFails(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)

		known := e.start(t)
		e.identify(t, known, ada.email)
		_, knownSent := e.sentCode(t, known, ada.email)

		unknown := e.start(t)
		e.identify(t, unknown, "nobody@example.com")
		code, unknownSent := e.sentCode(t, unknown, "nobody@example.com")
		require.Equal(t, knownSent.State, unknownSent.State)
		require.Equal(t, knownSent.Actions, unknownSent.Actions)
		require.JSONEq(t,
			strings.ReplaceAll(string(mustJSON(t, knownSent.Output)), ada.email, "nobody@example.com"),
			string(mustJSON(t, unknownSent.Output)))

		// The right code fails as a wrong one does.
		_, err := e.verifyCode(unknown, code)
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		// Like a known account's code after a success, it is used up.
		_, err = e.verifyCode(unknown, code)
		flowtest.RequirePublic(t, flows.ErrCodeExpired, err)
		requireNoCode(t, code, unknownSent)
	})
}

func TestCode_FiveWrongCodesLockTheCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		token := e.start(t)
		e.identify(t, token, ada.email)
		code, _ := e.sentCode(t, token, ada.email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for range signin.CodeMaxAttempts {
			_, err := e.verifyCode(token, wrong)
			flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		}
		_, err := e.verifyCode(token, code)
		flowtest.RequirePublic(t, flows.ErrCodeLocked, err)
		require.Zero(t, e.sessions(t, ada.user.ID))
		require.Equal(t, string(signin.Code), e.flow(t, token).State)
	})
}

func TestCode_ACodeFromAnotherFlowIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		first := e.start(t)
		e.identify(t, first, ada.email)
		firstCode, _ := e.sentCode(t, first, ada.email)

		second := e.start(t)
		e.identify(t, second, ada.email)
		secondCode, _ := e.sentCode(t, second, ada.email)
		// Two random codes are equal once in a million: then the second
		// flow asks for a new one (its third send, within the limit).
		for secondCode == firstCode {
			secondCode, _ = e.sentCode(t, second, ada.email)
		}
		_, err := e.verifyCode(second, firstCode)
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		require.Zero(t, e.sessions(t, ada.user.ID))

		// Each flow's own code still works there.
		res, err := e.verifyCode(first, firstCode)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
	})
}

func TestCode_TheFourthSendInTenMinutesIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		token := e.start(t)
		e.identify(t, token, ada.email)
		for range signin.CodeSendsPerRecipient {
			_, err := e.sendCode(token)
			require.NoError(t, err)
		}
		_, err := e.sendCode(token)
		flowtest.RequirePublic(t, flows.ErrCodeRateLimited, err)

		// The limit is on the recipient, not the flow.
		other := e.start(t)
		e.identify(t, other, ada.email)
		_, err = e.sendCode(other)
		flowtest.RequirePublic(t, flows.ErrCodeRateLimited, err)

		// After the window, sends work again.
		e.Clock.Advance(signin.CodeSendWindow + time.Second)
		_, err = e.sendCode(other)
		require.NoError(t, err)
	})
}

func TestCode_TheTenantWideLimitStopsSendsToEveryRecipient(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		next := e.Tenant.Settings
		next.Limits.CodeSendsPerHour = 2
		tn, err := e.Tenants.UpdateSettings(e.Ctx, e.Tenant, next, true)
		require.NoError(t, err)
		e.Tenant = tn

		// Three recipients from three addresses: each within its own
		// limits, the third over the tenant's.
		for i, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			e.req.IP = "203.0.113." + string(rune('1'+i))
			token := e.start(t)
			e.identify(t, token, email)
			_, err := e.sendCode(token)
			if i < 2 {
				require.NoError(t, err, email)
				continue
			}
			flowtest.RequirePublic(t, flows.ErrCodeRateLimited, err)
			require.Equal(t, string(signin.ChooseMethod), e.flow(t, token).State)
		}
		n, err := d.ForTenant(e.Tenant.ID).Hit(e.Ctx, "code_send", time.Hour, e.Clock.Now())
		require.NoError(t, err)
		require.Equal(t, 4, n, "the refused send was counted too (three sends and this probe)")

		// Another tenant is not held back by this one.
		other := newSignInEnv(t, d)
		token := other.start(t)
		other.identify(t, token, "d@example.com")
		_, err = other.sendCode(token)
		require.NoError(t, err)

		e.Clock.Advance(time.Hour + time.Second)
		token = e.start(t)
		e.identify(t, token, "c@example.com")
		_, err = e.sendCode(token)
		require.NoError(t, err, "the next hour sends again")
	})
}

func TestCode_SMSOutsideTheAllowedCountriesIsRefusedAndInsideIsSent(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		next := e.Tenant.Settings
		next.SMS.AllowedCallingCodes = []string{"44"}
		tn, err := e.Tenants.UpdateSettings(e.Ctx, e.Tenant, next, true)
		require.NoError(t, err)
		e.Tenant = tn

		token := e.start(t)
		e.identify(t, token, "+14155550123")
		_, err = e.sendCode(token)
		flowtest.RequirePublic(t, flows.ErrPhoneNotAllowed, err)
		require.Equal(t, string(signin.ChooseMethod), e.flow(t, token).State)
		require.Empty(t, e.messagesTo("+14155550123"))

		token = e.start(t)
		e.identify(t, token, "+447700900123")
		code, res := e.sentCode(t, token, "+447700900123")
		require.JSONEq(t, `{"channel":"sms","sent_to":"+447700900123"}`, string(mustJSON(t, res.Output)))
		// Nobody has this number: the code fails like a wrong one.
		_, err = e.verifyCode(token, code)
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
	})
}

// A code is written in the language the client asked for, else in the
// tenant's default language.
func TestCode_TheMessageSpeaksTheClientsLanguageOrTheTenants(t *testing.T) {
	t.Parallel()
	e := newSignInEnv(t, testdb.New(t, testdb.SQLite))
	ada := e.member(t, "ada", false)

	e.req.Lang = "es"
	token := e.start(t)
	e.identify(t, token, ada.email)
	e.sentCode(t, token, ada.email)
	require.Regexp(t, `^Tu código de .+ es [0-9]{6}\. Caduca en 10 minutos\.$`, e.messagesTo(ada.email)[0])

	e.req.Lang = ""
	e.Tenant.Settings.DefaultLocale = "zh-CN"
	token = e.start(t)
	e.identify(t, token, ada.email)
	e.sentCode(t, token, ada.email)
	require.Regexp(t, `^您的 .+ 验证码是 [0-9]{6}。10 分钟后过期。$`, e.messagesTo(ada.email)[0])
}
