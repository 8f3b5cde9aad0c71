package signup_test

import (
	"encoding/json"
	"slices"
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

func TestSignUp_TheMachineIsValid(t *testing.T) {
	t.Parallel()
	_, err := flows.NewEngineFromDeps(flows.Deps{}, signup.Machine(nil))
	require.NoError(t, err)
	// What sends or takes a code or a password is CAPTCHA-guarded (identify
	// sends a code), the passkey actions not.
	require.Equal(t, []string{signup.ActionIdentify, signup.ActionSignUp, signup.ActionCodeSend, signup.ActionCodeVerify, signup.ActionPassword},
		signup.Machine(nil).CaptchaActions())
}

// TestSignUp_EveryUndeclaredStateActionPairIsRefused drives a flow into
// each live state and tries there every action its declaration does not
// allow, as the flow's own signed-in user: each is refused, and the flow
// stays where it was.
func TestSignUp_EveryUndeclaredStateActionPairIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, withSMS)
		m := e.engine.Machine()

		// into returns a flow (its token and its user's request) in s.
		into := func(t *testing.T, s flows.State, name string) *newcomer {
			t.Helper()
			switch s {
			case signup.Identify:
				return e.start(t)
			case signup.Passkey:
				n := e.start(t)
				n.email = name + "@example.com"
				res, err := e.run(n, signup.ActionIdentify, map[string]string{"identifier": n.email})
				require.NoError(t, err)
				require.Equal(t, signup.Verify, res.State, "the address is proved first")
				_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, n.email, 0)})
				require.NoError(t, err)
				return n
			case signup.Verify:
				n := e.start(t)
				_, err := e.form(n, map[string]string{"email": name + "@example.com"})
				require.NoError(t, err)
				return n
			case signup.Password:
				n, res := e.signUpByEmail(t, name)
				_ = res
				// A second flow on a password tenant is simpler: switch
				// the tenant for this one form.
				e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.Password = true })
				defer e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.Password = false })
				p := e.start(t)
				p.email = name + ".pw@example.com"
				_, err := e.form(p, map[string]string{"email": p.email})
				require.NoError(t, err)
				res, err = e.run(p, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, p.email, 0)})
				require.NoError(t, err)
				require.Equal(t, signup.Password, res.State)
				p.req.UserID = &n.userID // a signed-in user, even so
				return p
			case signup.PasskeyPrompt:
				n, res := e.signUpByEmail(t, name)
				require.Equal(t, signup.PasskeyPrompt, res.State)
				return n
			}
			n, _ := e.signUpByEmail(t, name)
			require.Equal(t, signup.TwoStep, e.bindPasskey(t, n).State)
			if s == signup.TwoStep {
				return n
			}
			res, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
			require.NoError(t, err)
			require.Equal(t, signup.MFAChoose, res.State)
			switch s {
			case signup.MFAChoose:
				return n
			case signup.SMSVerify:
				res, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": "+1555555" + name[len(name)-4:]})
				require.NoError(t, err)
				return n
			}
			res, err = e.run(n, signup.ActionTOTPStart, struct{}{})
			require.NoError(t, err)
			if s == signup.TOTPSetup {
				return n
			}
			res, err = e.run(n, signup.ActionTOTPConfirm, map[string]string{"code": e.TOTPCode(t, res.Output.(*signup.TOTPSetupOutput).Secret)})
			require.NoError(t, err)
			require.Equal(t, signup.MFAChoose, res.State)
			res, err = e.run(n, signup.ActionMFAFinish, struct{}{})
			require.NoError(t, err)
			require.Equal(t, signup.BackupCodes, res.State, "no way into %s", s)
			return n
		}
		tried, states := 0, 0
		for i, s := range m.States() {
			if s == flows.Done {
				continue
			}
			states++
			n := into(t, s, "user"+string(rune('a'+i))+"1"+string(rune('0'+i%10))+"00")
			require.Equal(t, s, e.flowState(t, n))
			allowed := m.Allowed(s)
			for _, action := range m.ActionNames() {
				if slices.Contains(allowed, action) {
					continue
				}
				_, err := e.run(n, action, map[string]any{})
				flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
				tried++
			}
			require.Equal(t, s, e.flowState(t, n), "the refused actions left the flow in %s", s)
		}
		require.Equal(t, 10, states)
		require.Len(t, m.ActionNames(), 17)
		require.Equal(t, 10*17-24, tried, "ten live states, seventeen actions, 24 declared state-action pairs")
	})
}

// TestSignUp_PasskeyFirstTakesOnlyTheTenantsSingleRequiredKind: identify
// refuses a kind the tenant does not take, and any identifier when the
// tenant requires two kinds (only the form takes several).
func TestSignUp_PasskeyFirstTakesOnlyTheTenantsSingleRequiredKind(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		in := func(id string) json.RawMessage {
			b, _ := json.Marshal(map[string]string{"identifier": id})
			return b
		}
		req := flows.RequestInfo{IP: "127.0.0.1"}
		_, err := e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionIdentify, in("someone"), req)
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Contains(t, flows.Public(err).Message, "does not take a username")

		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.SignUp.Identifiers = []string{tenants.IdentifierEmail, tenants.IdentifierUsername}
			s.SignUp.Required = []string{tenants.IdentifierEmail, tenants.IdentifierUsername}
		})
		_, err = e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionIdentify, in("ann@example.com"), req)
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "This site also needs a username to create an account. Use the sign-up form instead.", flows.Public(err).Message)

		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.Required = []string{tenants.IdentifierUsername} })
		res, err := e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionIdentify, in("Ann"), req)
		require.NoError(t, err)
		require.Equal(t, signup.Passkey, res.State)
		require.NotNil(t, res.Output.(passkey.Begun).Passkey)
	})
}
