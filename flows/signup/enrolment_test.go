package signup_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// sessionsOf returns the user's live sessions.
func (e *signUpEnv) sessionsOf(t *testing.T, n *newcomer) []*db.Session {
	t.Helper()
	s, err := e.Scope().Sessions().ByUser(e.Ctx, n.userID, e.Clock.Now())
	require.NoError(t, err)
	return s
}

// TestSignUpMandatory_TheFlowTokenAloneBindsTheFactorWhichIssuesTheSession:
// the account made by the form has no session; its flow token drives the
// binding whoever else is signed in on the device, and the confirmed
// authenticator app issues the session, with the code and the app in its
// amr. From then on the steps need that session, as with the
// user-controlled policy.
func TestSignUpMandatory_TheFlowTokenAloneBindsTheFactorWhichIssuesTheSession(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		other, _ := e.signUpByEmail(t, "ola")
		e.UpdateSettings(t, func(s *tenants.Settings) {
			withSMS(s)
			s.MFA.Policy = tenants.MFAMandatory
			s.SignUp.PasskeyPrompt = false
		})
		n, res := e.signUpByEmail(t, "pia")
		require.Equal(t, signup.MFAChoose, res.State)
		require.Nil(t, res.Session)
		require.Empty(t, e.sessionsOf(t, n))

		// Another account's session on the device does not get in the way.
		n.req.UserID = &other.userID
		res, err := e.run(n, signup.ActionTOTPStart, struct{}{})
		require.NoError(t, err)
		require.Nil(t, res.Session)
		require.Empty(t, e.sessionsOf(t, n))
		setup := res.Output.(*signup.TOTPSetupOutput)
		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
		require.NoError(t, err)
		require.Equal(t, signup.MFAChoose, res.State)
		require.NotNil(t, res.Session)
		require.Equal(t, n.userID, res.Session.Session.UserID)
		require.Equal(t, "otp,mfa", res.Session.Session.AMR)
		require.True(t, e.user(t, n.userID).MFAEnabled)
		require.Len(t, e.sessionsOf(t, n), 1)

		anonymous := *n
		anonymous.req.UserID = nil
		_, err = e.run(&anonymous, signup.ActionMFAFinish, struct{}{})
		flowtest.RequirePublic(t, flows.ErrUnauthenticated, err)
		res, err = e.run(n, signup.ActionMFAFinish, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
		require.Nil(t, res.Session, "one session per sign-up")
		require.Len(t, e.sessionsOf(t, n), 1)
	})
}

// TestSignUpMandatory_APasswordSignUpLeftBeforeTheFactorHasNoSession: the
// reported sequence, at the engine: the password creates the account and
// no session, and nothing the flow does before the binding makes one.
func TestSignUpMandatory_APasswordSignUpLeftBeforeTheFactorHasNoSession(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.MFA.Policy = tenants.MFAMandatory
			s.SignUp.Password = true
		})
		n := e.start(t)
		n.email = "quin@example.com"
		_, err := e.form(n, map[string]string{"email": n.email})
		require.NoError(t, err)
		res, err := e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, n.email, 0)})
		require.NoError(t, err)
		require.Equal(t, signup.Password, res.State)
		res, err = e.run(n, signup.ActionPassword, map[string]string{"password": "violet anchor ledger 1942"})
		require.NoError(t, err)
		require.Equal(t, signup.PasskeyPrompt, res.State)
		e.created(t, n, res)
		require.Empty(t, e.sessionsOf(t, n))
		res, err = e.run(n, signup.ActionPromptSkip, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.TOTPSetup, res.State)
		require.Nil(t, res.Session)
		require.Empty(t, e.sessionsOf(t, n))
		require.False(t, e.user(t, n.userID).MFAEnabled)
	})
}

// TestSignUpMandatory_WithAPasskeyAloneThePromptIsShownEvenWhenTurnedOff:
// the passkey is the binding, so the prompt comes whatever
// SignUp.PasskeyPrompt says, and the passkey issues the session.
func TestSignUpMandatory_WithAPasskeyAloneThePromptIsShownEvenWhenTurnedOff(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.MFA.Policy = tenants.MFAMandatory
			s.MFA.Factors = []string{tenants.FactorWebAuthn}
			s.SignUp.PasskeyPrompt = false
		})
		n, res := e.signUpByEmail(t, "rae")
		require.Equal(t, signup.PasskeyPrompt, res.State)
		require.Empty(t, e.sessionsOf(t, n))
		_, err := e.run(n, signup.ActionPromptSkip, struct{}{})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		res = e.bindPasskey(t, n)
		require.Equal(t, flows.Done, res.State)
		require.NotNil(t, res.Session)
		require.Equal(t, "otp,webauthn,mfa", res.Session.Session.AMR)
	})
}

// TestSignUpMandatory_APasskeyOnlyTenantThatForbidsPasskeysRefusesSignUp:
// no account is made that could never meet the policy.
func TestSignUpMandatory_APasskeyOnlyTenantThatForbidsPasskeysRefusesSignUp(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.MFA.Policy = tenants.MFAMandatory
			s.MFA.Factors = []string{tenants.FactorWebAuthn}
			s.Passkeys.AllowRegistration = false
			s.SignUp.VerifyIdentifiers = false
		})
		n := e.start(t)
		_, err := e.form(n, map[string]string{"email": "sol@example.com"})
		flowtest.RequirePublic(t, flows.ErrMFAEnrollmentRequired, err)
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, "sol@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}
