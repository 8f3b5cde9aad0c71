package signin_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

const (
	bobPhone       = "+14155550123"
	bobPhoneMasked = "+1 ••• ••• 0123"
)

// enableSMSFactor adds sms to the tenant's MFA factors.
func (e *signInEnv) enableSMSFactor(t *testing.T) {
	t.Helper()
	e.setMFAPolicy(t, func(m *tenants.MFA) { m.Factors = append(m.Factors, tenants.FactorSMS) })
}

// setSMSFactor makes phone m's verified SMS factor.
func (e *signInEnv) setSMSFactor(t *testing.T, m *member, phone string) {
	t.Helper()
	require.NoError(t, e.Scope().SMSFactors().Set(e.Ctx, m.user.ID, phone, e.Clock.Now()))
}

// smsUser is a member with a password, 2-step verification on, an
// authenticator app and the SMS factor bobPhone, on a tenant that enables
// the sms factor.
func (e *signInEnv) smsUser(t *testing.T, name string) (*member, string) {
	t.Helper()
	e.enableSMSFactor(t)
	m := e.member(t, name, false)
	e.setPassword(t, m, bobPassword)
	e.setMFA(t, m)
	secret := e.addTOTP(t, m)
	e.setSMSFactor(t, m, bobPhone)
	return m, secret
}

// sendMFACode runs mfa.sms.send on token.
func (e *signInEnv) sendMFACode(token string) (*flows.Result, error) {
	return e.run(token, signin.ActionMFASMSSend, map[string]any{})
}

// verifyMFACode runs mfa.sms.verify on token with code.
func (e *signInEnv) verifyMFACode(token, code string) (*flows.Result, error) {
	return e.run(token, signin.ActionMFASMSVerify, map[string]string{"code": code})
}

// sentMFACode runs mfa.sms.send on token and returns the code delivered to
// phone, with the send's result.
func (e *signInEnv) sentMFACode(t *testing.T, token, phone string) (string, *flows.Result) {
	t.Helper()
	before := e.Sent(phone)
	res, err := e.sendMFACode(token)
	require.NoError(t, err)
	require.Equal(t, signin.MFA, res.State)
	return e.CodeTo(t, phone, before), res
}

// mfaCodeID returns the id of the code the flow of token waits for.
func (e *signInEnv) mfaCodeID(t *testing.T, token string) uuid.UUID {
	t.Helper()
	var c signin.Context
	require.NoError(t, json.Unmarshal([]byte(e.flow(t, token).Context), &c))
	require.NotNil(t, c.MFACodeID, "the flow holds no mfa code")
	return *c.MFACodeID
}

// otherCode returns a six-digit code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestMFASMS_ACodeGoesOnlyToTheStoredPhoneAndSignsInWithPwdSMSMFA(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")

		token := e.identified(t, bob.email)
		pwRes, err := e.password(token, bobPassword)
		require.NoError(t, err)
		require.Equal(t, signin.MFA, pwRes.State)
		require.Equal(t, []string{
			signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP,
			signin.ActionMFASMSSend, signin.ActionMFASMSVerify, signin.ActionMFABackupCode,
		}, pwRes.Actions)
		require.JSONEq(t, `{"factors":["totp","sms"],"phone":"`+bobPhoneMasked+`"}`, string(mustJSON(t, pwRes.Output)))
		require.NotContains(t, string(mustJSON(t, pwRes.Output)), bobPhone)

		// The request cannot name a number.
		_, err = e.run(token, signin.ActionMFASMSSend, map[string]string{"phone": "+15005550006"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		// Nor can a code be checked before one was sent.
		_, err = e.verifyMFACode(token, "123456")
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
		require.Contains(t, err.Error(), "Send a code to your phone first.")
		require.Empty(t, e.Outbox.Messages())

		code, sent := e.sentMFACode(t, token, bobPhone)
		require.JSONEq(t, `{"channel":"sms","sent_to":"`+bobPhoneMasked+`"}`, string(mustJSON(t, sent.Output)))
		require.Len(t, e.Outbox.Messages(), 1, "one message, to the stored phone only")
		stored, err := e.Scope().Codes().Get(e.Ctx, e.mfaCodeID(t, token))
		require.NoError(t, err)
		require.Equal(t, signin.PurposeMFA, stored.Purpose)
		require.Equal(t, db.ChannelSMS, stored.Channel)
		require.Equal(t, bobPhone, stored.Recipient)
		require.Equal(t, e.flow(t, token).ID, *stored.FlowID)
		require.NotContains(t, e.flow(t, token).Context, code)
		require.Zero(t, e.sessions(t, bob.user.ID), "no session before the code")

		_, err = e.verifyMFACode(token, "")
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		wrongRes, wrongErr := e.verifyMFACode(token, otherCode(code))
		flowtest.RequirePublic(t, flows.ErrInvalidCode, wrongErr)
		require.Zero(t, e.sessions(t, bob.user.ID))

		res, err := e.verifyMFACode(token, code)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, bob.user.ID, res.Session.Session.UserID)
		require.Equal(t, "pwd,sms,mfa", res.Session.Session.AMR)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
		requireNoCode(t, code, pwRes, sent, wrongRes, res.Output, res.State, res.Actions)
		require.NotContains(t, wrongErr.Error(), code)

		// The finished flow is gone, and its code with it.
		_, err = e.verifyMFACode(token, code)
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
		require.Len(t, e.Outbox.Messages(), 1)
	})
}

func TestMFASMS_ACodeSentBeforeThePhoneChangedIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")

		token := e.intoMFA(t, bob, bobPassword)
		oldCode, _ := e.sentMFACode(t, token, bobPhone)
		const newPhone = "+447700900456"
		e.setSMSFactor(t, bob, newPhone)

		// The right code for the old number does not pass any more.
		_, err := e.verifyMFACode(token, oldCode)
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		require.Zero(t, e.sessions(t, bob.user.ID))

		// A new send goes to the new number, and that code works.
		newCode, sent := e.sentMFACode(t, token, newPhone)
		require.JSONEq(t, `{"channel":"sms","sent_to":"+44 ••• ••• 0456"}`, string(mustJSON(t, sent.Output)))
		require.Len(t, e.messagesTo(bobPhone), 1, "nothing more went to the old number")
		res, err := e.verifyMFACode(token, newCode)
		require.NoError(t, err)
		require.Equal(t, "pwd,sms,mfa", res.Session.Session.AMR)
	})
}

func TestMFASMS_FiveWrongCodesLockTheCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")

		token := e.intoMFA(t, bob, bobPassword)
		code, _ := e.sentMFACode(t, token, bobPhone)
		for i := range signin.CodeMaxAttempts {
			_, err := e.verifyMFACode(token, otherCode(code))
			flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
			require.Equal(t, string(signin.MFA), e.flow(t, token).State, "attempt %d", i+1)
		}
		_, err := e.verifyMFACode(token, code)
		flowtest.RequirePublic(t, flows.ErrCodeLocked, err)
		require.Zero(t, e.sessions(t, bob.user.ID))
		stored, err := e.Scope().Codes().Get(e.Ctx, e.mfaCodeID(t, token))
		require.NoError(t, err)
		require.Equal(t, signin.CodeMaxAttempts, stored.Attempts)
		require.Nil(t, stored.UsedAt)

		// A new code works.
		code, _ = e.sentMFACode(t, token, bobPhone)
		res, err := e.verifyMFACode(token, code)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
	})
}

func TestMFASMS_CodeChecksCountAsSecondFactorAttempts(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, secret := e.smsUser(t, "bob")

		// Wrong codes over two sends: ten second-factor attempts.
		token := e.intoMFA(t, bob, bobPassword)
		for i := range signin.MFAAttemptsPerUser {
			if i%signin.CodeMaxAttempts == 0 {
				e.sentMFACode(t, token, bobPhone)
			}
			_, err := e.verifyMFACode(token, "000000x")
			flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		}
		// Then even the app's right code is refused, and so is a right
		// SMS code.
		_, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": e.TOTPCode(t, secret)})
		flowtest.RequirePublic(t, flows.ErrTooManyAttempts, err)
		code, _ := e.sentMFACode(t, token, bobPhone)
		_, err = e.verifyMFACode(token, code)
		flowtest.RequirePublic(t, flows.ErrTooManyAttempts, err)
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestMFASMS_ACodeExpiresAfterTenMinutes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")

		// A second before the end, the code works.
		first := e.intoMFA(t, bob, bobPassword)
		code, _ := e.sentMFACode(t, first, bobPhone)
		e.Clock.Advance(signin.CodeTTL - time.Second)
		res, err := e.verifyMFACode(first, code)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)

		// At the end, it does not.
		second := e.intoMFA(t, bob, bobPassword)
		code, _ = e.sentMFACode(t, second, bobPhone)
		e.Clock.Advance(signin.CodeTTL)
		_, err = e.verifyMFACode(second, code)
		flowtest.RequirePublic(t, flows.ErrCodeExpired, err)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
		require.Equal(t, string(signin.MFA), e.flow(t, second).State)
	})
}

func TestMFASMS_ACodeFromAnotherFlowIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")

		first := e.intoMFA(t, bob, bobPassword)
		firstCode, _ := e.sentMFACode(t, first, bobPhone)
		second := e.intoMFA(t, bob, bobPassword)
		secondCode, _ := e.sentMFACode(t, second, bobPhone)
		// Two random codes are equal once in a million: then the second
		// flow asks for a new one (the third send, within the limit).
		for secondCode == firstCode {
			secondCode, _ = e.sentMFACode(t, second, bobPhone)
		}
		_, err := e.verifyMFACode(second, firstCode)
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		require.Zero(t, e.sessions(t, bob.user.ID))

		// A sign-in code (another purpose) sent to the same number in
		// another flow does not pass the second factor either.
		phoneFlow := e.identified(t, bobPhone)
		signInCode, _ := e.sentCode(t, phoneFlow, bobPhone)
		if signInCode != secondCode {
			_, err = e.verifyMFACode(second, signInCode)
			flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		}

		// Each flow's own code still works there.
		res, err := e.verifyMFACode(first, firstCode)
		require.NoError(t, err)
		require.Equal(t, "pwd,sms,mfa", res.Session.Session.AMR)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
	})
}

func TestMFASMS_NotOfferedAndRefusedWhenTheTenantDoesNotEnableIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")
		e.setMFAPolicy(t, func(m *tenants.MFA) { m.Factors = []string{tenants.FactorTOTP, tenants.FactorBackupCodes} })

		token := e.identified(t, bob.email)
		res, err := e.password(token, bobPassword)
		require.NoError(t, err)
		require.JSONEq(t, `{"factors":["totp"]}`, string(mustJSON(t, res.Output)))
		_, err = e.sendMFACode(token)
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		_, err = e.verifyMFACode(token, "123456")
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Empty(t, e.Outbox.Messages())

		// Turned off between the send and the check: the right code does
		// not pass.
		e.enableSMSFactor(t)
		token = e.intoMFA(t, bob, bobPassword)
		code, _ := e.sentMFACode(t, token, bobPhone)
		e.setMFAPolicy(t, func(m *tenants.MFA) { m.Factors = []string{tenants.FactorTOTP} })
		_, err = e.verifyMFACode(token, code)
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestMFASMS_AUserWithoutAnSMSFactorIsNotOfferedItAndIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.enableSMSFactor(t)
		bob, _, _ := e.mfaUser(t, "bob")

		token := e.identified(t, bob.email)
		res, err := e.password(token, bobPassword)
		require.NoError(t, err)
		require.JSONEq(t, `{"factors":["webauthn","totp","backup_code"]}`, string(mustJSON(t, res.Output)))
		_, err = e.sendMFACode(token)
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Contains(t, err.Error(), "no phone number for 2-step verification")
		_, err = e.verifyMFACode(token, "123456")
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Empty(t, e.Outbox.Messages())
		require.Zero(t, e.sessions(t, bob.user.ID))
		require.Equal(t, string(signin.MFA), e.flow(t, token).State)

		// Removing the factor after a send takes it away too.
		e.setSMSFactor(t, bob, bobPhone)
		token = e.intoMFA(t, bob, bobPassword)
		code, _ := e.sentMFACode(t, token, bobPhone)
		require.NoError(t, e.Scope().SMSFactors().Remove(e.Ctx, bob.user.ID))
		_, err = e.verifyMFACode(token, code)
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestMFASMS_APhoneOutsideTheAllowedCountriesIsNotOfferedAndNotSentTo(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")
		next := e.Tenant.Settings
		next.SMS.AllowedCallingCodes = []string{"44"}
		tn, err := e.Tenants.UpdateSettings(e.Ctx, e.Tenant, next, true)
		require.NoError(t, err)
		e.Tenant = tn

		token := e.identified(t, bob.email)
		res, err := e.password(token, bobPassword)
		require.NoError(t, err)
		require.JSONEq(t, `{"factors":["totp"]}`, string(mustJSON(t, res.Output)))
		_, err = e.sendMFACode(token)
		flowtest.RequirePublic(t, flows.ErrPhoneNotAllowed, err)
		require.Contains(t, err.Error(), "Try another method to verify.")
		require.Empty(t, e.Outbox.Messages())
		require.Equal(t, string(signin.MFA), e.flow(t, token).State)

		// A number in an allowed country is offered and sent to.
		e.setSMSFactor(t, bob, "+447700900123")
		token = e.identified(t, bob.email)
		res, err = e.password(token, bobPassword)
		require.NoError(t, err)
		require.JSONEq(t, `{"factors":["totp","sms"],"phone":"+44 ••• ••• 0123"}`, string(mustJSON(t, res.Output)))
		e.sentMFACode(t, token, "+447700900123")
	})
}

func TestMFASMS_OfferedAfterAnEmailCodeButNotAfterAnSMSCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.enableSMSFactor(t)
		// cid signs in with an email address or a phone number, and has
		// that phone as his SMS factor and an authenticator app.
		cid := &member{email: "cid@example.com"}
		cid.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: cid.email}
		proved := e.Clock.Now()
		require.NoError(t, e.Scope().Users().Create(e.Ctx, cid.user,
			&db.Identifier{Kind: db.IdentifierEmail, Value: cid.email, VerifiedAt: &proved},
			&db.Identifier{Kind: db.IdentifierPhone, Value: bobPhone, VerifiedAt: &proved}))
		e.setMFA(t, cid)
		e.addTOTP(t, cid)
		e.setSMSFactor(t, cid, bobPhone)

		// An email code, then an SMS code: otp, sms, mfa.
		token := e.identified(t, cid.email)
		code, _ := e.sentCode(t, token, cid.email)
		res, err := e.verifyCode(token, code)
		require.NoError(t, err)
		require.JSONEq(t, `{"factors":["totp","sms"],"phone":"`+bobPhoneMasked+`"}`, string(mustJSON(t, res.Output)))
		code, _ = e.sentMFACode(t, token, bobPhone)
		res, err = e.verifyMFACode(token, code)
		require.NoError(t, err)
		require.Equal(t, "otp,sms,mfa", res.Session.Session.AMR)

		// An SMS code to the phone proves the phone already: a second SMS
		// code would prove nothing more.
		token = e.identified(t, bobPhone)
		code, _ = e.sentCode(t, token, bobPhone)
		res, err = e.verifyCode(token, code)
		require.NoError(t, err)
		require.Equal(t, signin.MFA, res.State)
		require.JSONEq(t, `{"factors":["totp"]}`, string(mustJSON(t, res.Output)))
		sends := len(e.messagesTo(bobPhone))
		_, err = e.sendMFACode(token)
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Len(t, e.messagesTo(bobPhone), sends)
		require.Equal(t, 1, e.sessions(t, cid.user.ID))

		// With SMS as his only second factor, an SMS code sign-in is told
		// to use another first factor, with no session; the code is spent.
		require.NoError(t, e.Scope().TOTP().Remove(e.Ctx, cid.user.ID))
		token = e.identified(t, bobPhone)
		code, _ = e.sentCode(t, token, bobPhone)
		var fc signin.Context
		require.NoError(t, json.Unmarshal([]byte(e.flow(t, token).Context), &fc))
		require.NotNil(t, fc.CodeID)
		_, err = e.verifyCode(token, code)
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		require.Contains(t, err.Error(), "Sign in with your password or another method instead")
		require.Equal(t, string(signin.Code), e.flow(t, token).State)
		_, err = e.verifyCode(token, code)
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		stored, err := e.Scope().Codes().Get(e.Ctx, *fc.CodeID)
		require.NoError(t, err)
		require.NotNil(t, stored.UsedAt, "the code is used up")
		require.Equal(t, 1, e.sessions(t, cid.user.ID))
	})
}
