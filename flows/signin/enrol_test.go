package signin_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// enrolEnv is a sign-in environment whose tenant requires 2-step
// verification, with ada: a password and no second factor.
func enrolEnv(t *testing.T, d *db.DB, factors ...string) (*signInEnv, *member) {
	t.Helper()
	e := newSignInEnv(t, d)
	e.setMFAPolicy(t, func(m *tenants.MFA) {
		m.Policy = tenants.MFAMandatory
		if len(factors) > 0 {
			m.Factors = factors
		}
	})
	ada := e.member(t, "ada", false)
	e.setPassword(t, ada, adaPassword)
	return e, ada
}

// intoEnrol passes m's password and returns the token of the flow, which
// waits in mfa_enroll with no session, and the factors offered.
func (e *signInEnv) intoEnrol(t *testing.T, m *member) (string, []string) {
	t.Helper()
	token := e.identified(t, m.email)
	res, err := e.password(token, adaPassword)
	require.NoError(t, err)
	require.Equal(t, signin.MFAEnroll, res.State)
	require.Nil(t, res.Session)
	var out struct {
		Enroll []string `json:"enroll"`
	}
	decode(t, res, &out)
	return token, out.Enroll
}

// decode reads a step's output as JSON into v.
func decode(t *testing.T, res *flows.Result, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(mustJSON(t, res.Output), v))
}

// startApp runs mfa_enroll.totp.start and returns the new app's secret.
func (e *signInEnv) startApp(t *testing.T, token string) string {
	t.Helper()
	res, err := e.run(token, signin.ActionEnrollTOTPStart, map[string]any{})
	require.NoError(t, err)
	require.Equal(t, signin.MFAEnrollTOTP, res.State)
	var key flows.TOTPSetup
	decode(t, res, &key)
	require.NotEmpty(t, key.Secret)
	require.Contains(t, key.URL, "otpauth://totp/")
	require.Contains(t, key.QRCode, "data:image/png;base64,")
	return key.Secret
}

func TestEnrol_APasswordLeadsToAnAppThenBackupCodesThenASessionWithPwdOTPMFA(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, ada := enrolEnv(t, d)
		token, offered := e.intoEnrol(t, ada)
		require.Equal(t, []string{signin.FactorWebAuthn, signin.FactorTOTP}, offered)

		secret := e.startApp(t, token)
		_, err := e.run(token, signin.ActionEnrollTOTPConfirm, map[string]string{"code": otherCode(e.TOTPCode(t, secret))})
		require.ErrorIs(t, err, flows.ErrInvalidCode)
		require.Zero(t, e.sessions(t, ada.user.ID))

		res, err := e.run(token, signin.ActionEnrollTOTPConfirm, map[string]string{"code": e.TOTPCode(t, secret)})
		require.NoError(t, err)
		require.Equal(t, signin.MFAEnrollBackupCodes, res.State)
		require.Nil(t, res.Session, "the session follows the backup codes")
		require.Zero(t, e.sessions(t, ada.user.ID))
		var codes struct {
			BackupCodes []string `json:"backup_codes"`
		}
		decode(t, res, &codes)
		require.Len(t, codes.BackupCodes, flows.BackupCodeCount)
		u, err := e.Scope().Users().ByID(e.Ctx, ada.user.ID)
		require.NoError(t, err)
		require.True(t, u.MFAEnabled, "a confirmed app turns 2-step verification on")

		res, err = e.run(token, signin.ActionEnrollBackupCodesAck, map[string]any{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.NotNil(t, res.Session)
		require.Equal(t, "pwd,otp,mfa", res.Session.Session.AMR)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))

		// The next sign-in asks for the app, and a backup code works.
		next := e.intoMFA(t, ada, adaPassword)
		res, err = e.run(next, signin.ActionMFABackupCode, map[string]string{"code": codes.BackupCodes[0]})
		require.NoError(t, err)
		require.Equal(t, "pwd,backup_code,mfa", res.Session.Session.AMR)
	})
}

func TestEnrol_AnEmailCodeLeadsToSettingUpSMSWithOTPSMSMFA(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, ada := enrolEnv(t, d, tenants.FactorSMS)
		token := e.start(t)
		e.identify(t, token, ada.email)
		code, _ := e.sentCode(t, token, ada.email)
		res, err := e.verifyCode(token, code)
		require.NoError(t, err)
		require.Equal(t, signin.MFAEnroll, res.State)
		require.Nil(t, res.Session)
		require.JSONEq(t, `{"enroll":["sms"]}`, string(mustJSON(t, res.Output)))

		_, err = e.run(token, signin.ActionEnrollSMSSend, map[string]string{"phone": "not a phone"})
		require.Equal(t, "phone", flows.Public(err).Field)
		before := e.Sent(bobPhone)
		res, err = e.run(token, signin.ActionEnrollSMSSend, map[string]string{"phone": bobPhone})
		require.NoError(t, err)
		require.Equal(t, signin.MFAEnrollSMS, res.State)
		sms := e.CodeTo(t, bobPhone, before)

		_, err = e.run(token, signin.ActionEnrollSMSVerify, map[string]string{"code": otherCode(sms)})
		require.ErrorIs(t, err, flows.ErrInvalidCode)
		require.Zero(t, e.sessions(t, ada.user.ID))
		res, err = e.run(token, signin.ActionEnrollSMSVerify, map[string]string{"code": sms})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State, "no backup codes on this tenant: the session now")
		require.Equal(t, "otp,sms,mfa", res.Session.Session.AMR)
		f, err := e.Scope().SMSFactors().Get(e.Ctx, ada.user.ID)
		require.NoError(t, err)
		require.Equal(t, bobPhone, f.Phone)
	})
}

func TestEnrol_APasskeyIsTheFactorWhereTheTenantCountsIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, ada := enrolEnv(t, d, tenants.FactorWebAuthn)
		token, offered := e.intoEnrol(t, ada)
		require.Equal(t, []string{signin.FactorWebAuthn}, offered)
		res, err := e.run(token, signin.ActionEnrollPasskeyBegin, map[string]any{})
		require.NoError(t, err)
		require.Equal(t, signin.MFAEnroll, res.State)
		var begun struct {
			Passkey struct {
				PublicKey json.RawMessage `json:"publicKey"`
			} `json:"passkey"`
		}
		decode(t, res, &begun)
		device := flowtest.NewDevice(ada.user.WebAuthnHandle)
		answer := device.Create(t, e.RelyingParty(), begun.Passkey.PublicKey)
		res, err = e.run(token, signin.ActionEnrollPasskeyFinish, map[string]any{"credential": json.RawMessage(answer)})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, "pwd,webauthn,mfa", res.Session.Session.AMR)
		creds, err := e.Scope().Credentials().ByUser(e.Ctx, ada.user.ID, "")
		require.NoError(t, err)
		require.Len(t, creds, 1)
	})
}

func TestEnrol_NoSessionBeforeTheFactorAndNothingElseRunsThere(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, ada := enrolEnv(t, d)
		token, _ := e.intoEnrol(t, ada)
		for _, action := range []string{signin.ActionMFATOTP, signin.ActionMFABackupCode, signin.ActionIdentify, signin.ActionPassword, signin.ActionEnrollBackupCodesAck, signin.ActionEnrollTOTPConfirm} {
			_, err := e.run(token, action, map[string]string{"code": "123456", "identifier": "bob@example.com", "password": adaPassword})
			require.ErrorIs(t, err, flows.ErrActionNotAllowed, action)
		}
		secret := e.startApp(t, token)
		_, err := e.run(token, signin.ActionEnrollBackupCodesAck, map[string]any{})
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
		require.Zero(t, e.sessions(t, ada.user.ID))

		// The flow's lifetime bounds the enrolment.
		e.Clock.Advance(31 * time.Minute)
		_, err = e.run(token, signin.ActionEnrollTOTPConfirm, map[string]string{"code": e.TOTPCode(t, secret)})
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
		require.Zero(t, e.sessions(t, ada.user.ID))
		f, err := e.Scope().TOTP().Get(e.Ctx, ada.user.ID)
		require.NoError(t, err)
		require.Nil(t, f.ConfirmedAt)
	})
}

func TestEnrol_WrongFirstCodesAreLimitedAndThenTheRightOneIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, ada := enrolEnv(t, d)
		token, _ := e.intoEnrol(t, ada)
		secret := e.startApp(t, token)
		wrong := otherCode(e.TOTPCode(t, secret))
		for range flows.FactorAttemptsPerUser {
			_, err := e.run(token, signin.ActionEnrollTOTPConfirm, map[string]string{"code": wrong})
			require.ErrorIs(t, err, flows.ErrInvalidCode)
		}
		_, err := e.run(token, signin.ActionEnrollTOTPConfirm, map[string]string{"code": e.TOTPCode(t, secret)})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts)
		require.Zero(t, e.sessions(t, ada.user.ID))
		u, err := e.Scope().Users().ByID(e.Ctx, ada.user.ID)
		require.NoError(t, err)
		require.False(t, u.MFAEnabled)
	})
}

func TestEnrol_OnlyAUserWithNoFactorWhereTheTenantOffersOne(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		// No factor that can be set up here (a passkey, where no one may
		// create one): refused as before.
		e, ada := enrolEnv(t, d, tenants.FactorWebAuthn, tenants.FactorBackupCodes)
		e.setPasskeys(t, func(p *tenants.Passkeys) { p.AllowRegistration = false })
		_, err := e.password(e.identified(t, ada.email), adaPassword)
		require.ErrorIs(t, err, flows.ErrMFAEnrollmentRequired)
		require.Zero(t, e.sessions(t, ada.user.ID))

		// 2-step on, with no factor left: refused, never a new factor on
		// the password alone.
		e, ada = enrolEnv(t, d)
		e.setMFA(t, ada)
		_, err = e.password(e.identified(t, ada.email), adaPassword)
		require.ErrorIs(t, err, flows.ErrMFAEnrollmentRequired)

		// Two flows enrolling at once: the first factor confirmed closes
		// the other.
		e, ada = enrolEnv(t, d)
		first, _ := e.intoEnrol(t, ada)
		second, _ := e.intoEnrol(t, ada)
		secret := e.startApp(t, first)
		_, err = e.run(first, signin.ActionEnrollTOTPConfirm, map[string]string{"code": e.TOTPCode(t, secret)})
		require.NoError(t, err)
		_, err = e.run(second, signin.ActionEnrollTOTPStart, map[string]any{})
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
	})
}

func TestEnrol_ConcurrentConfirmationsEnrolOnceAndSignInOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, ada := enrolEnv(t, d)
		token, _ := e.intoEnrol(t, ada)
		secret := e.startApp(t, token)
		code := e.TOTPCode(t, secret)

		outcomes := guesses(parallelGuesses, func(int) error {
			_, err := e.run(token, signin.ActionEnrollTOTPConfirm, map[string]string{"code": code})
			return err
		})
		require.Equal(t, 1, outcomes["ok"], "one confirmation enrols: %v", outcomes)
		requireOnly(t, outcomes, "ok", flows.ErrFlowNotFound.Code, flows.ErrInvalidCode.Code, flows.ErrActionNotAllowed.Code)
		require.Equal(t, string(signin.MFAEnrollBackupCodes), e.flow(t, token).State)
		require.Zero(t, e.sessions(t, ada.user.ID))

		outcomes = guesses(parallelGuesses, func(int) error {
			_, err := e.run(token, signin.ActionEnrollBackupCodesAck, map[string]any{})
			return err
		})
		require.Equal(t, 1, outcomes["ok"], "one acknowledgement signs in: %v", outcomes)
		requireOnly(t, outcomes, "ok", flows.ErrFlowNotFound.Code)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
	})
}
