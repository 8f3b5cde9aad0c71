package signup_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// signUpEnv is the shared flow test environment with the sign-up engine.
type signUpEnv struct {
	*flowtest.Env
	engine *flows.Engine[signup.Context]
}

func newSignUpEnv(t *testing.T, d *db.DB) *signUpEnv {
	t.Helper()
	env := flowtest.New(t, d)
	engine, err := signup.New(env.Deps())
	require.NoError(t, err)
	return &signUpEnv{Env: env, engine: engine}
}

// setMFA saves the tenant's MFA settings as edit leaves them.
func (e *signUpEnv) setMFA(t *testing.T, edit func(m *tenants.MFA)) {
	t.Helper()
	e.UpdateSettings(t, func(s *tenants.Settings) { edit(&s.MFA) })
}

// newcomer is a person signing up: the flow token, the user once created
// and the request info of their browser (signed in after passkey.finish).
type newcomer struct {
	email  string
	token  string
	userID uuid.UUID
	req    flows.RequestInfo
}

// signUp runs identify, code.verify with the code sent to the address
// (when the tenant verifies identifiers) and passkey.finish with a software
// authenticator, and returns the newcomer and passkey.finish's result.
func (e *signUpEnv) signUp(t *testing.T, name string) (*newcomer, *flows.Result) {
	t.Helper()
	return e.signUpFrom(t, name, "")
}

// signUpFrom is signUp from a page in lang.
func (e *signUpEnv) signUpFrom(t *testing.T, name, lang string) (*newcomer, *flows.Result) {
	t.Helper()
	n := &newcomer{email: name + "@example.com", req: flows.RequestInfo{UserAgent: "test", IP: <-ips, Lang: lang}}
	in, err := json.Marshal(map[string]string{"identifier": n.email})
	require.NoError(t, err)
	before := e.Sent(n.email)
	res, err := e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionIdentify, in, n.req)
	require.NoError(t, err)
	n.token = res.Token
	if res.State == signup.Verify {
		res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, n.email, before)})
		require.NoError(t, err)
	}
	require.Equal(t, signup.Passkey, res.State)
	begun, ok := res.Output.(passkey.Begun)
	require.True(t, ok, "output %T", res.Output)

	fin, _ := e.createPasskey(t, begun.Passkey.PublicKey)
	res, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPasskeyFinish, fin, n.req)
	require.NoError(t, err)
	require.NotNil(t, res.Session, "the account exists and is signed in")
	out, ok := res.Output.(signup.Finished)
	require.True(t, ok, "output %T", res.Output)
	n.userID = out.UserID
	n.req.UserID = &n.userID
	return n, res
}

// run performs action on the newcomer's flow; like a browser keeping the
// session cookie, a step that issues a session signs the newcomer's later
// requests in as its user.
func (e *signUpEnv) run(n *newcomer, action string, input any) (*flows.Result, error) {
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	res, err := e.engine.Run(e.Ctx, e.Tenant, n.token, action, raw, n.req)
	if err == nil && res.Session != nil {
		id := res.Session.Session.UserID
		n.req.UserID = &id
	}
	return res, err
}

func (e *signUpEnv) user(t *testing.T, id uuid.UUID) *db.User {
	t.Helper()
	u, err := e.Scope().Users().ByID(e.Ctx, id)
	require.NoError(t, err)
	return u
}

// requireQRCode checks that the setup output carries a PNG data: URL.
func requireQRCode(t *testing.T, out *signup.TOTPSetupOutput) {
	t.Helper()
	const prefix = "data:image/png;base64,"
	require.True(t, strings.HasPrefix(out.QRCode, prefix), out.QRCode[:min(40, len(out.QRCode))])
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(out.QRCode, prefix))
	require.NoError(t, err)
	require.Equal(t, "\x89PNG", string(png[:4]))
	require.True(t, strings.HasPrefix(out.URL, "otpauth://totp/"), out.URL)
	require.Contains(t, out.URL, "secret="+out.Secret)
}

func TestSignUp_EnablingTwoStepBindsTOTPAndShowsTenBackupCodesOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, res := e.signUp(t, "ada")
		require.Equal(t, signup.TwoStep, res.State)
		require.Equal(t, []string{signup.ActionTwoStepEnable, signup.ActionTwoStepSkip}, res.Actions)
		fin := res.Output.(signup.Finished)
		require.NotNil(t, fin.TwoStep)
		require.False(t, fin.TwoStep.Required)
		require.False(t, e.user(t, n.userID).MFAEnabled, "a passkey does not turn 2-step verification on")

		res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		require.Equal(t, signup.TOTPSetup, res.State)
		setup, ok := res.Output.(*signup.TOTPSetupOutput)
		require.True(t, ok, "output %T", res.Output)
		requireQRCode(t, setup)
		f, err := e.Scope().TOTP().Get(e.Ctx, n.userID)
		require.NoError(t, err)
		require.Nil(t, f.ConfirmedAt)
		require.False(t, e.user(t, n.userID).MFAEnabled)

		var responses [][]byte
		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
		raw, err := json.Marshal(res.Output)
		require.NoError(t, err)
		responses = append(responses, raw)
		codes := res.Output.(signup.BackupCodesOutput).BackupCodes
		require.Len(t, codes, 10)

		res, err = e.run(n, signup.ActionBackupCodeAck, struct{}{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		raw, err = json.Marshal(res.Output)
		require.NoError(t, err)
		responses = append(responses, raw)

		for _, c := range codes {
			seen := 0
			for _, r := range responses {
				seen += strings.Count(string(r), c)
			}
			require.Equal(t, 1, seen, "backup code %s is in exactly one response", c)
		}
		require.True(t, e.user(t, n.userID).MFAEnabled)
		f, err = e.Scope().TOTP().Get(e.Ctx, n.userID)
		require.NoError(t, err)
		require.NotNil(t, f.ConfirmedAt)
		unused, err := e.Scope().BackupCodes().Unused(e.Ctx, n.userID)
		require.NoError(t, err)
		require.Len(t, unused, 10)
		hashes := make([][]byte, len(unused))
		for i, u := range unused {
			hashes[i] = u.CodeHash
		}
		for _, c := range codes {
			_, ok := backupcode.Match(c, hashes)
			require.True(t, ok, "code %s is stored", c)
		}
		// The flow is gone.
		_, err = e.run(n, signup.ActionBackupCodeAck, struct{}{})
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
	})
}

func TestSignUp_SkippingTwoStepLeavesMFAOffWithNoFactors(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, res := e.signUp(t, "bob")
		require.Equal(t, signup.TwoStep, res.State)
		res, err := e.run(n, signup.ActionTwoStepSkip, struct{}{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.False(t, e.user(t, n.userID).MFAEnabled)
		_, err = e.Scope().TOTP().Get(e.Ctx, n.userID)
		require.ErrorIs(t, err, db.ErrNotFound)
		unused, err := e.Scope().BackupCodes().Unused(e.Ctx, n.userID)
		require.NoError(t, err)
		require.Empty(t, unused)
	})
}

func TestSignUp_WithoutThePromptOrTOTPTheFlowEndsAtThePasskey(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.setMFA(t, func(m *tenants.MFA) { m.PromptAtSignUp = false })
		n, res := e.signUp(t, "cy")
		require.Equal(t, flows.Done, res.State)
		require.Nil(t, res.Output.(signup.Finished).TwoStep)
		require.False(t, e.user(t, n.userID).MFAEnabled)

		e.setMFA(t, func(m *tenants.MFA) {
			m.PromptAtSignUp = true
			m.Factors = []string{tenants.FactorWebAuthn, tenants.FactorBackupCodes}
		})
		_, res = e.signUp(t, "dee")
		require.Equal(t, flows.Done, res.State)
	})
}

func TestSignUp_AMandatoryPolicyGoesStraightToTOTPWithNoSkip(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.setMFA(t, func(m *tenants.MFA) { m.Policy = tenants.MFAMandatory; m.PromptAtSignUp = false })
		n, res := e.signUp(t, "eve")
		require.Equal(t, signup.TOTPSetup, res.State)
		require.NotContains(t, res.Actions, signup.ActionTwoStepSkip)
		fin := res.Output.(signup.Finished)
		require.True(t, fin.TwoStep.Required)
		require.NotNil(t, fin.TOTP)
		requireQRCode(t, fin.TOTP)
		require.False(t, e.user(t, n.userID).MFAEnabled)

		_, err := e.run(n, signup.ActionTwoStepSkip, struct{}{})
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)

		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, fin.TOTP.Secret)})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
		require.Len(t, res.Output.(signup.BackupCodesOutput).BackupCodes, 10)
		require.True(t, e.user(t, n.userID).MFAEnabled)
		res, err = e.run(n, signup.ActionBackupCodeAck, struct{}{})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
	})
}

func TestSignUp_SkipIsRefusedWhenThePolicyBecameMandatory(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, res := e.signUp(t, "fay")
		require.Equal(t, signup.TwoStep, res.State)
		e.setMFA(t, func(m *tenants.MFA) { m.Policy = tenants.MFAMandatory })
		_, err := e.run(n, signup.ActionTwoStepSkip, struct{}{})
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
	})
}

func TestSignUp_AWrongFirstCodeKeepsTheFlowAtTOTPSetup(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUp(t, "gil")
		res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		setup := res.Output.(*signup.TOTPSetupOutput)
		right := e.TOTPCode(t, setup.Secret)
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}
		for _, c := range []string{wrong, "abc", ""} {
			_, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": c})
			require.ErrorIs(t, err, flows.ErrInvalidCode, "code %q", c)
		}
		require.False(t, e.user(t, n.userID).MFAEnabled)
		f, err := e.Scope().TOTP().Get(e.Ctx, n.userID)
		require.NoError(t, err)
		require.Nil(t, f.ConfirmedAt)
		// Still at totp_setup: the right code goes on.
		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": right})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
	})
}

func TestSignUp_WrongFirstCodesAreLimited(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUp(t, "hal")
		res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		setup := res.Output.(*signup.TOTPSetupOutput)
		for range signup.TOTPAttempts {
			_, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": "abcdef"})
			require.ErrorIs(t, err, flows.ErrInvalidCode)
		}
		_, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts)
		require.False(t, e.user(t, n.userID).MFAEnabled)
	})
}

func TestSignUp_OnlyTheNewUserCanDriveTheTwoStepSteps(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUp(t, "ida")
		other, _ := e.signUp(t, "jon")

		stranger := *n
		stranger.req.UserID = &other.userID
		anonymous := *n
		anonymous.req.UserID = nil
		for _, who := range []*newcomer{&stranger, &anonymous} {
			for _, action := range []string{signup.ActionTwoStepEnable, signup.ActionTwoStepSkip} {
				_, err := e.run(who, action, struct{}{})
				require.ErrorIs(t, err, flows.ErrUnauthenticated, action)
			}
		}
		res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		setup := res.Output.(*signup.TOTPSetupOutput)
		for _, who := range []*newcomer{&stranger, &anonymous} {
			_, err := e.run(who, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
			require.ErrorIs(t, err, flows.ErrUnauthenticated)
		}
		_, err = e.Scope().TOTP().Get(e.Ctx, other.userID)
		require.ErrorIs(t, err, db.ErrNotFound)
		res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, setup.Secret)})
		require.NoError(t, err)
		require.Equal(t, signup.BackupCodes, res.State)
		for _, who := range []*newcomer{&stranger, &anonymous} {
			_, err := e.run(who, signup.ActionBackupCodeAck, struct{}{})
			require.ErrorIs(t, err, flows.ErrUnauthenticated)
		}
		require.False(t, e.user(t, other.userID).MFAEnabled)
	})
}
