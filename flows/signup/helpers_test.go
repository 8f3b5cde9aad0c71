package signup_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/tenants"
)

// ips hands every newcomer its own client address, so that the per-IP code
// limit of one test does not reach another's sends.
var ips = make(chan string, 1)

func init() {
	go func() {
		for i := 0; ; i++ {
			ips <- fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
		}
	}()
}

// start opens a sign-up flow for a newcomer who has not signed up yet.
func (e *signUpEnv) start(t *testing.T) *newcomer {
	t.Helper()
	res, err := e.engine.Start(e.Ctx, e.Tenant, signup.Context{})
	require.NoError(t, err)
	return &newcomer{token: res.Token, req: flows.RequestInfo{UserAgent: "test", IP: <-ips}}
}

// form runs sign_up with the fields given.
func (e *signUpEnv) form(n *newcomer, fields map[string]string) (*flows.Result, error) {
	return e.run(n, signup.ActionSignUp, fields)
}

// signedIn records the account a result created and signs the newcomer's
// requests in as it.
func (n *newcomer) signedIn(t *testing.T, res *flows.Result) {
	t.Helper()
	require.NotNil(t, res.Session, "the account exists and is signed in")
	n.userID = res.Session.Session.UserID
	n.req.UserID = &n.userID
}

// created records the account a result created: signed in, unless the
// tenant's policy is mandatory, where the account has no session until a
// factor is bound and only the flow token drives the flow.
func (e *signUpEnv) created(t *testing.T, n *newcomer, res *flows.Result) {
	t.Helper()
	if e.Tenant.Settings.MFA.Policy != tenants.MFAMandatory {
		n.signedIn(t, res)
		return
	}
	require.Nil(t, res.Session, "no session before a factor is bound")
	out, ok := res.Output.(signup.Finished)
	require.True(t, ok, "output %T", res.Output)
	n.userID = out.UserID
	n.req.UserID = nil
}

// signUpByEmail fills the form with name@example.com (the tenant proves
// it by a code) and returns the newcomer, signed in (see created), and the
// result that created the account.
func (e *signUpEnv) signUpByEmail(t *testing.T, name string) (*newcomer, *flows.Result) {
	t.Helper()
	return e.signUpByEmailFrom(t, name, "")
}

// signUpByEmailFrom is signUpByEmail from a page in lang.
func (e *signUpEnv) signUpByEmailFrom(t *testing.T, name, lang string) (*newcomer, *flows.Result) {
	t.Helper()
	n := e.start(t)
	n.req.Lang = lang
	n.email = name + "@example.com"
	before := e.Sent(n.email)
	res, err := e.form(n, map[string]string{"email": n.email})
	require.NoError(t, err)
	require.Equal(t, signup.Verify, res.State)
	res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, n.email, before)})
	require.NoError(t, err)
	e.created(t, n, res)
	return n, res
}

// createPasskey answers publicKey (creation options) with a new passkey
// and returns the input of the finishing action and the device.
func (e *signUpEnv) createPasskey(t *testing.T, publicKey json.RawMessage) (json.RawMessage, *flowtest.Device) {
	t.Helper()
	d := flowtest.NewDevice(nil)
	return flowtest.Credential(t, d.Create(t, e.RelyingParty(), publicKey)), d
}

// bindPasskey runs the passkey prompt with a new passkey and returns
// passkey_prompt.finish's result.
func (e *signUpEnv) bindPasskey(t *testing.T, n *newcomer) *flows.Result {
	t.Helper()
	res, err := e.run(n, signup.ActionPromptBegin, struct{}{})
	require.NoError(t, err)
	require.Equal(t, signup.PasskeyPrompt, res.State)
	fin, _ := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
	res, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPromptFinish, fin, n.req)
	require.NoError(t, err)
	return res
}

// flowState returns the stored state of the newcomer's flow.
func (e *signUpEnv) flowState(t *testing.T, n *newcomer) flows.State {
	t.Helper()
	f, err := e.Scope().Flows().ByToken(e.Ctx, flows.HashToken(n.token))
	require.NoError(t, err)
	return flows.State(f.State)
}

// identifiers returns the user's stored identifiers by kind.
func (e *signUpEnv) identifiers(t *testing.T, userID uuid.UUID) map[string]*db.Identifier {
	t.Helper()
	ids, err := e.Scope().Users().Identifiers(e.Ctx, userID)
	require.NoError(t, err)
	out := map[string]*db.Identifier{}
	for _, id := range ids {
		out[id.Kind] = id
	}
	return out
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
