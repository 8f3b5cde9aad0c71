package signup_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// identify starts a passkey-first sign-up for identifier.
func (e *signUpEnv) identify(t *testing.T, identifier string) (*newcomer, *flows.Result) {
	t.Helper()
	n := e.start(t)
	n.email = identifier
	res, err := e.run(n, signup.ActionIdentify, map[string]string{"identifier": identifier})
	require.NoError(t, err)
	return n, res
}

// passkeySignIn signs in with a's passkey (discoverable) through the
// sign-in engine and returns the user it signed in to.
func (e *signUpEnv) passkeySignIn(t *testing.T, a *flowtest.Device) uuid.UUID {
	t.Helper()
	in, err := signin.New(signin.Deps{DB: e.DB, Passkeys: e.Passkeys, Clock: e.Clock})
	require.NoError(t, err)
	req := flows.RequestInfo{UserAgent: "test", IP: <-ips}
	res, err := in.Begin(e.Ctx, e.Tenant, signin.Context{}, signin.ActionPasskeyBegin, nil, req)
	require.NoError(t, err)
	fin := flowtest.Credential(t, a.Get(t, e.RelyingParty(), res.Output.(passkey.Begun).Passkey.PublicKey))
	res, err = in.Run(e.Ctx, e.Tenant, res.Token, signin.ActionPasskeyFinish, fin, req)
	require.NoError(t, err)
	return res.Session.Session.UserID
}

// TestSignUpPasskeyFirst_TheAddressIsProvedBeforeAnyPasskeyAndStoredVerified:
// identify sends a code and issues no registration options; passkey.finish
// is refused until code.verify proved the address; then the options come,
// and the account is created with the address verified.
func TestSignUpPasskeyFirst_TheAddressIsProvedBeforeAnyPasskeyAndStoredVerified(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, res := e.identify(t, "ivy@example.com")
		require.Equal(t, signup.Verify, res.State)
		require.Equal(t, signup.CodeSent{Kind: db.IdentifierEmail, Channel: db.ChannelEmail, SentTo: n.email}, res.Output)
		_, err := e.run(n, signup.ActionPasskeyFinish, map[string]any{"credential": map[string]any{}})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		code := e.CodeTo(t, n.email, 0)
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": "000000"})
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)

		res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": code})
		require.NoError(t, err)
		require.Equal(t, signup.Passkey, res.State)
		require.Nil(t, res.Session, "no account before the passkey")
		fin, _ := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
		res, err = e.engine.Run(e.Ctx, e.Tenant, n.token, signup.ActionPasskeyFinish, fin, n.req)
		require.NoError(t, err)
		n.signedIn(t, res)
		ids := e.identifiers(t, n.userID)
		require.Len(t, ids, 1)
		require.NotNil(t, ids[db.IdentifierEmail].VerifiedAt, "the proved address is stored verified")
	})
}

// TestSignUpPasskeyFirst_ATakenAddressLooksFreeUntilItsCodeIsProved:
// identify answers the same for a taken address as for a free one; only
// whoever proves the taken one learns it is taken, and gets no options.
func TestSignUpPasskeyFirst_ATakenAddressLooksFreeUntilItsCodeIsProved(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		owner, _ := e.signUp(t, "dee")

		sent := e.Sent(owner.email)
		taken, takenRes := e.identify(t, owner.email)
		_, freeRes := e.identify(t, "nobody@example.com")
		require.Equal(t, freeRes.State, takenRes.State)
		require.Equal(t, freeRes.Actions, takenRes.Actions)
		require.Equal(t,
			strings.ReplaceAll(mustJSON(t, freeRes.Output), "nobody@example.com", owner.email),
			mustJSON(t, takenRes.Output))

		_, err := e.run(taken, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, owner.email, sent)})
		flowtest.RequirePublic(t, flows.ErrIdentifierTaken, err)
		require.Equal(t, "email", flows.Public(err).Field)
		require.Equal(t, signup.Verify, e.flowState(t, taken), "no registration options")
	})
}

// TestSignUpPasskeyFirst_AUsernameOrNoVerificationIsCheckedAtOnce: what
// cannot be proved, or is not proved here, is looked up at identify, as on
// the form.
func TestSignUpPasskeyFirst_AUsernameOrNoVerificationIsCheckedAtOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		owner, _ := e.signUp(t, "eli")
		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.VerifyIdentifiers = false })
		n := e.start(t)
		_, err := e.run(n, signup.ActionIdentify, map[string]string{"identifier": owner.email})
		flowtest.RequirePublic(t, flows.ErrIdentifierTaken, err)
		_, res := e.identify(t, "fay@example.com")
		require.Equal(t, signup.Passkey, res.State)
	})
}

// TestSignUpPasskeyFirst_PreHijackEndsWithTheVictimInTheirOwnAccount is
// the sequence on the engines, default settings: the attacker
// starts passkey-first sign-up with the victim's address and cannot get
// past the code; the victim signs up by email code into their own account;
// the attacker's passkey signs in to the attacker's account only.
func TestSignUpPasskeyFirst_PreHijackEndsWithTheVictimInTheirOwnAccount(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		const victim = "victim@example.com"
		attack, res := e.identify(t, victim)
		require.Equal(t, signup.Verify, res.State)
		_, err := e.run(attack, signup.ActionPasskeyFinish, map[string]any{"credential": map[string]any{}})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)

		// The attacker's own account and passkey.
		mallory, res := e.identify(t, "mallory@example.com")
		res, err = e.run(mallory, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, mallory.email, 0)})
		require.NoError(t, err)
		fin, device := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
		res, err = e.engine.Run(e.Ctx, e.Tenant, mallory.token, signup.ActionPasskeyFinish, fin, mallory.req)
		require.NoError(t, err)
		mallory.signedIn(t, res)

		// The victim signs up by the form and the code to their address.
		v, _ := e.signUpByEmail(t, "victim")
		require.NotNil(t, e.identifiers(t, v.userID)[db.IdentifierEmail].VerifiedAt)
		got, err := e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, victim)
		require.NoError(t, err)
		require.Equal(t, v.userID, got.ID)

		require.Equal(t, mallory.userID, e.passkeySignIn(t, device))
		creds, err := e.Scope().Credentials().ByUser(e.Ctx, v.userID, "")
		require.NoError(t, err)
		require.Empty(t, creds, "nothing of the attacker's in the victim's account")
	})
}

// TestSignUp_AnAddressClaimedUnprovedGoesToWhoeverProvesIt: an account made
// where identifiers were not verified holds the victim's address
// unverified, with the attacker's passkey. Once the tenant verifies
// identifiers, the victim's sign-up proves the address, which the claim
// gives up: the victim's own account holds it, verified; the attacker's
// passkey opens the attacker's account, which no longer holds it.
func TestSignUp_AnAddressClaimedUnprovedGoesToWhoeverProvesIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.VerifyIdentifiers = false })
		const victim = "victim@example.com"
		attack, res := e.identify(t, victim)
		require.Equal(t, signup.Passkey, res.State)
		fin, device := e.createPasskey(t, res.Output.(passkey.Begun).Passkey.PublicKey)
		res, err := e.engine.Run(e.Ctx, e.Tenant, attack.token, signup.ActionPasskeyFinish, fin, attack.req)
		require.NoError(t, err)
		attack.signedIn(t, res)
		require.Nil(t, e.identifiers(t, attack.userID)[db.IdentifierEmail].VerifiedAt)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.VerifyIdentifiers = true })

		v, _ := e.signUpByEmail(t, "victim")
		require.NotEqual(t, attack.userID, v.userID)
		require.NotNil(t, e.identifiers(t, v.userID)[db.IdentifierEmail].VerifiedAt)
		require.Empty(t, e.identifiers(t, attack.userID), "the unproved claim gave way")
		require.Equal(t, attack.userID, e.passkeySignIn(t, device))
	})
}
