package signup_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// withSMS enables SMS and TOTP factors and backup codes.
func withSMS(s *tenants.Settings) {
	s.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
}

func TestSignUpTwoStep_EnableBindsAnSMSPhoneByABindCodeThenOffersTheRest(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, withSMS)
		n, _ := e.signUpByEmail(t, "rex")
		require.Equal(t, signup.TwoStep, e.bindPasskey(t, n).State)

		res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.MFAChoose, res.State)
		require.Equal(t, []string{signup.ActionTOTPStart, signup.ActionSMSSend, signup.ActionMFAFinish}, res.Actions)
		require.JSONEq(t, `{"factors":["totp","sms"],"bound":[],"required":false}`, mustJSON(t, res.Output))
		_, err = e.run(n, signup.ActionMFAFinish, struct{}{})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)

		_, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": "555 0100"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "phone", flows.Public(err).Field)

		const phone = "+15555550177"
		ctx, count := db.CountStatements(e.Ctx)
		res, err = e.engine.Run(ctx, e.Tenant, n.token, signup.ActionSMSSend, []byte(`{"phone":"+1 (555) 555-0177"}`), n.req)
		require.NoError(t, err)
		require.LessOrEqual(t, count.N(), 9, "sms.send")
		require.Equal(t, signup.SMSVerify, res.State)
		require.JSONEq(t, `{"channel":"sms","sent_to":"`+phone+`"}`, mustJSON(t, res.Output))
		code := e.CodeTo(t, phone, 0)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": wrong})
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		require.False(t, e.user(t, n.userID).MFAEnabled, "not before the phone is proved")
		_, err = e.Scope().SMSFactors().Get(e.Ctx, n.userID)
		require.ErrorIs(t, err, db.ErrNotFound)

		res, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": code})
		require.NoError(t, err)
		require.Equal(t, signup.MFAChoose, res.State, "the app is still there to bind")
		require.JSONEq(t, `{"factors":["totp"],"bound":["sms"],"required":false}`, mustJSON(t, res.Output))
		require.True(t, e.user(t, n.userID).MFAEnabled)
		f, err := e.Scope().SMSFactors().Get(e.Ctx, n.userID)
		require.NoError(t, err)
		require.Equal(t, phone, f.Phone)

		// The code is used once.
		_, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": code})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		_, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": phone})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err) // SMS is bound already

		res, err = e.run(n, signup.ActionMFAFinish, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
		require.Len(t, res.Output.(signup.BackupCodesOutput).BackupCodes, 10)
		res, err = e.run(n, signup.ActionBackupCodeAck, struct{}{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		_, err = e.Scope().TOTP().Get(e.Ctx, n.userID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestSignUpTwoStep_BindingBothFactorsGoesOnToTheBackupCodes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, withSMS)
		n, _ := e.signUpByEmail(t, "sue")
		e.bindPasskey(t, n)
		_, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		res, err := e.run(n, signup.ActionTOTPStart, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.TOTPSetup, res.State)
		setup := res.Output.(*signup.TOTPSetupOutput)
		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
		require.NoError(t, err)
		require.Equal(t, signup.MFAChoose, res.State)
		_, err = e.run(n, signup.ActionTOTPStart, struct{}{})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		res, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": "+15555550188"})
		require.NoError(t, err)
		res, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": e.CodeTo(t, "+15555550188", 0)})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State, "nothing left to bind")
	})
}

func TestSignUpTwoStep_WithoutBackupCodesTheFirstFactorEndsTheFlow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorSMS} })
		n, _ := e.signUpByEmail(t, "tom")
		e.bindPasskey(t, n)
		res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.MFAChoose, res.State, "SMS needs a number first")
		_, err = e.run(n, signup.ActionTOTPStart, struct{}{})
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		_, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": "+15555550199"})
		require.NoError(t, err)
		res, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": e.CodeTo(t, "+15555550199", 0)})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.True(t, e.user(t, n.userID).MFAEnabled)
	})
}

func TestSignUpMandatory_TheAccountGoesStraightIntoBindingWithNoSkip(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			withSMS(s)
			s.MFA.Policy = tenants.MFAMandatory
			s.SignUp.PasskeyPrompt = false
		})
		n, res := e.signUpByEmail(t, "uma")
		require.Equal(t, signup.MFAChoose, res.State)
		require.NotContains(t, res.Actions, signup.ActionTwoStepSkip)
		out := res.Output.(signup.Finished)
		require.True(t, out.TwoStep.Required)
		require.True(t, out.MFA.Required)
		require.Equal(t, []string{"totp", "sms"}, out.MFA.Factors)
		require.False(t, e.user(t, n.userID).MFAEnabled)
		for _, action := range []string{signup.ActionTwoStepSkip, signup.ActionPromptSkip, signup.ActionMFAFinish} {
			_, err := e.run(n, action, struct{}{})
			flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		}

		res, err := e.run(n, signup.ActionSMSSend, map[string]string{"phone": "+15555550111"})
		require.NoError(t, err)
		require.NotContains(t, res.Actions, signup.ActionTwoStepSkip)
		res, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": e.CodeTo(t, "+15555550111", 0)})
		require.NoError(t, err)
		require.Equal(t, signup.MFAChoose, res.State)
		require.True(t, e.user(t, n.userID).MFAEnabled)
		res, err = e.run(n, signup.ActionMFAFinish, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
	})
}

func TestSignUpMandatory_AfterThePasskeyPromptBindingFollowsEitherWay(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.MFA.Policy = tenants.MFAMandatory })
		skipped, _ := e.signUpByEmail(t, "val")
		res, err := e.run(skipped, signup.ActionPromptSkip, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.TOTPSetup, res.State, "only the app to bind")
		require.NotNil(t, res.Output.(signup.Finished).TOTP)

		bound, _ := e.signUpByEmail(t, "wes")
		res = e.bindPasskey(t, bound)
		require.Equal(t, signup.TOTPSetup, res.State, "a passkey does not stand in for the required factor")
		require.False(t, e.user(t, bound.userID).MFAEnabled)
	})
}

func TestSignUpMandatory_WithWebAuthnAloneThePasskeyPromptCannotBeSkipped(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.MFA.Policy = tenants.MFAMandatory
			s.MFA.Factors = []string{tenants.FactorWebAuthn}
		})
		n, res := e.signUpByEmail(t, "xia")
		require.Equal(t, signup.PasskeyPrompt, res.State)
		_, err := e.run(n, signup.ActionPromptSkip, struct{}{})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		res = e.bindPasskey(t, n)
		require.Equal(t, flows.Done, res.State)
	})
}

func TestSignUp_OnlyTheNewUsersSessionCanDriveTheStepsAfterTheAccount(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, withSMS)
		n, _ := e.signUpByEmail(t, "yan")
		other, _ := e.signUpByEmail(t, "zed")
		stranger := *n
		stranger.req.UserID = &other.userID
		anonymous := *n
		anonymous.req.UserID = nil
		refused := func(actions ...string) {
			t.Helper()
			for _, who := range []*newcomer{&stranger, &anonymous} {
				for _, action := range actions {
					_, err := e.run(who, action, map[string]string{})
					flowtest.RequirePublic(t, flows.ErrUnauthenticated, err)
				}
			}
		}
		refused(signup.ActionPromptBegin, signup.ActionPromptSkip)
		res, err := e.run(n, signup.ActionPromptBegin, struct{}{})
		require.NoError(t, err)
		fin, _ := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
		for _, who := range []*newcomer{&stranger, &anonymous} {
			_, err := e.engine.Run(e.Ctx, e.Tenant, who.token, signup.ActionPromptFinish, fin, who.req)
			flowtest.RequirePublic(t, flows.ErrUnauthenticated, err)
		}
		// The refused answers left the ceremony to its owner.
		res, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPromptFinish, fin, n.req)
		require.NoError(t, err)
		require.Equal(t, signup.TwoStep, res.State)
		_, err = e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		refused(signup.ActionTOTPStart, signup.ActionSMSSend, signup.ActionMFAFinish)
		_, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": "+15555550122"})
		require.NoError(t, err)
		code := e.CodeTo(t, "+15555550122", 0)
		for _, who := range []*newcomer{&stranger, &anonymous} {
			_, err := e.run(who, signup.ActionSMSVerify, map[string]string{"code": code})
			flowtest.RequirePublic(t, flows.ErrUnauthenticated, err)
		}
		_, err = e.Scope().SMSFactors().Get(e.Ctx, other.userID)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.False(t, e.user(t, other.userID).MFAEnabled)
		_, err = e.run(n, signup.ActionSMSVerify, map[string]string{"code": code})
		require.NoError(t, err)
	})
}
