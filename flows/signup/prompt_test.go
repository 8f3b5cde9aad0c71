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

func TestSignUpPrompt_APasskeyIsBoundAndTwoStepOfferedButNotTurnedOn(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUpByEmail(t, "max")

		ctx, count := db.CountStatements(e.Ctx)
		res, err := e.engine.Run(ctx, e.Tenant, n.token, signup.ActionPromptBegin, nil, n.req)
		require.NoError(t, err)
		// Load the flow, the user's passkeys, save the flow.
		require.LessOrEqual(t, count.N(), 3, "passkey_prompt.begin")
		fin, _ := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
		ctx, count = db.CountStatements(e.Ctx)
		res, err = e.engine.Run(ctx, e.Tenant, n.token, signup.ActionPromptFinish, fin, n.req)
		require.NoError(t, err)
		// Load the flow, store the passkey, its passkey.added event in the
		// audit log (same transaction), save the flow.
		require.LessOrEqual(t, count.N(), 4, "passkey_prompt.finish")
		require.Equal(t, signup.TwoStep, res.State)
		require.Equal(t, []string{signup.ActionTwoStepEnable, signup.ActionTwoStepSkip}, res.Actions)
		out := res.Output.(signup.Finished)
		require.False(t, out.TwoStep.Required)
		require.Nil(t, res.Session, "the session was issued with the account")

		creds, err := e.Scope().Credentials().ByUser(e.Ctx, n.userID, "")
		require.NoError(t, err)
		require.Len(t, creds, 1)
		require.False(t, e.user(t, n.userID).MFAEnabled, "a passkey does not turn 2-step verification on")

		// Replaying the answer finds no ceremony.
		_, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPromptFinish, fin, n.req)
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)

		res, err = e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.TOTPSetup, res.State)
		setup := res.Output.(*signup.TOTPSetupOutput)
		requireQRCode(t, setup)
		require.False(t, e.user(t, n.userID).MFAEnabled)
		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
		require.Len(t, res.Output.(signup.BackupCodesOutput).BackupCodes, signup.BackupCodeCount)
		require.True(t, e.user(t, n.userID).MFAEnabled)
		res, err = e.run(n, signup.ActionBackupCodeAck, struct{}{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
	})
}

func TestSignUpPrompt_AReplayedOrForgedPasskeyAnswerIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUpByEmail(t, "ned")
		res, err := e.run(n, signup.ActionPromptBegin, struct{}{})
		require.NoError(t, err)
		first, _ := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)

		// An answer to a ceremony replaced by a newer one fails, and uses
		// the newer ceremony up.
		res, err = e.run(n, signup.ActionPromptBegin, struct{}{})
		require.NoError(t, err)
		_, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPromptFinish, first, n.req)
		flowtest.RequirePublic(t, flows.ErrPasskeyRegistrationFailed, err)
		second, _ := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
		_, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPromptFinish, second, n.req)
		flowtest.RequirePublic(t, flows.ErrCeremonyMissing, err)
		creds, err := e.Scope().Credentials().ByUser(e.Ctx, n.userID, "")
		require.NoError(t, err)
		require.Empty(t, creds)
		require.Equal(t, signup.PasskeyPrompt, e.flowState(t, n))

		// A fresh ceremony works once.
		res = e.bindPasskey(t, n)
		require.Equal(t, signup.TwoStep, res.State)
	})
}

func TestSignUpPrompt_SkippingThePasskeyEndsWithoutTwoStep(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUpByEmail(t, "olga")
		res, err := e.run(n, signup.ActionPromptSkip, struct{}{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State, "no passkey: no 2-step page")
		require.Nil(t, res.Output.(signup.Finished).TwoStep)
		require.False(t, e.user(t, n.userID).MFAEnabled)
		sessions, err := e.Scope().Sessions().ByUser(e.Ctx, n.userID, e.Clock.Now())
		require.NoError(t, err)
		require.Len(t, sessions, 1, "signed in since the code")
	})
}

func TestSignUpPrompt_NotOfferedWhenTheTenantTurnedItOffOrPasskeysCannotBeCreated(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.PasskeyPrompt = false })
		_, res := e.signUpByEmail(t, "pia")
		require.Equal(t, flows.Done, res.State)

		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.PasskeyPrompt = true; s.Passkeys.AllowRegistration = false })
		_, res = e.signUpByEmail(t, "quin")
		require.Equal(t, flows.Done, res.State)
		require.False(t, res.Output.(signup.Finished).PasskeyPrompt)
	})
}
