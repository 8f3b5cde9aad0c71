package signup_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestSignUpForm_AnEmailCodeCreatesTheAccountWithAVerifiedEmailWithinItsStatementBudget(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n := e.start(t)
		const email = "ada@example.com"

		ctx, count := db.CountStatements(e.Ctx)
		res, err := e.engine.Run(ctx, e.Tenant, n.token, signup.ActionSignUp, []byte(`{"email":"Ada@Example.com"}`), n.req)
		require.NoError(t, err)
		// Load the flow, two limit counters, the recipient's two send
		// limits, the code, the job, save the flow.
		require.LessOrEqual(t, count.N(), 9, "sign_up with a code to send")
		require.Equal(t, signup.Verify, res.State)
		require.Equal(t, []string{signup.ActionSignUp, signup.ActionCodeSend, signup.ActionCodeVerify}, res.Actions)
		require.JSONEq(t, `{"kind":"email","channel":"email","sent_to":"ada@example.com"}`, mustJSON(t, res.Output))
		require.Nil(t, res.Session)
		code := e.CodeTo(t, email, 0)
		require.NotContains(t, mustJSON(t, res), code)
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, email)
		require.ErrorIs(t, err, db.ErrNotFound, "no account before the code")

		ctx, count = db.CountStatements(e.Ctx)
		res, err = e.engine.Run(ctx, e.Tenant, n.token, signup.ActionCodeVerify, []byte(`{"code":"`+code+`"}`), n.req)
		require.NoError(t, err)
		// Load the flow, check and use the code, look the address up,
		// the user and its identifier, the session, save the flow, record
		// the sign-up in the audit log.
		require.LessOrEqual(t, count.N(), 9, "code.verify creating the account")
		require.Equal(t, signup.PasskeyPrompt, res.State)
		require.Equal(t, []string{signup.ActionPromptBegin, signup.ActionPromptFinish, signup.ActionPromptSkip}, res.Actions)
		n.signedIn(t, res)
		require.Equal(t, flows.AMROTP, res.Session.Session.AMR)
		out := res.Output.(signup.Finished)
		require.True(t, out.PasskeyPrompt)
		require.Equal(t, n.userID, out.UserID)
		u := e.user(t, n.userID)
		require.Empty(t, u.PasswordHash)
		require.False(t, u.MFAEnabled)
		require.Equal(t, email, u.DisplayName)
		ids := e.identifiers(t, n.userID)
		require.Len(t, ids, 1)
		require.NotNil(t, ids[db.IdentifierEmail].VerifiedAt, "the proved address is verified")

		// The code is used up: the flow moved on, and the code does not
		// work in it again.
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": code})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
	})
}

func TestSignUpForm_APasswordIsCheckedAgainstThePolicyAndStoredAsArgon2id(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.Password = true })
		n := e.start(t)
		n.email = "bo@example.com"
		res, err := e.form(n, map[string]string{"email": n.email})
		require.NoError(t, err)
		_, err = e.run(n, signup.ActionPassword, map[string]string{"password": "a long enough passphrase"})
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		require.Equal(t, signup.Verify, e.flowState(t, n), "no password before the address is proved")

		res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, n.email, 0)})
		require.NoError(t, err)
		require.Equal(t, signup.Password, res.State)
		require.Nil(t, res.Session, "no account before the password")
		require.JSONEq(t, `{"min_length":10,"max_length":256}`, mustJSON(t, res.Output))

		for pw, want := range map[string]string{
			"":           "Choose a password.",
			"short":      "This password is too short. Use at least 10 characters: a few unrelated words make a password that is long and easy to remember.",
			"qwertyuiop": password.ErrCommon.Error(),
		} {
			_, err = e.run(n, signup.ActionPassword, map[string]string{"password": pw})
			flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
			pe := flows.Public(err)
			require.Equal(t, "password", pe.Field)
			require.Equal(t, want, pe.Message)
		}
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, n.email)
		require.ErrorIs(t, err, db.ErrNotFound)

		const chosen = "correct horse battery staple"
		ctx, count := db.CountStatements(e.Ctx)
		res, err = e.engine.Run(ctx, e.Tenant, n.token, signup.ActionPassword, []byte(`{"password":"`+chosen+`"}`), n.req)
		require.NoError(t, err)
		require.LessOrEqual(t, count.N(), 6, "password creating the account")
		require.Equal(t, signup.PasskeyPrompt, res.State)
		n.signedIn(t, res)
		require.Equal(t, "otp,pwd", res.Session.Session.AMR)
		u := e.user(t, n.userID)
		require.True(t, strings.HasPrefix(u.PasswordHash, "$argon2id$"), u.PasswordHash)
		ok, _, err := password.Verify(chosen, u.PasswordHash)
		require.NoError(t, err)
		require.True(t, ok)
		require.NotContains(t, mustJSON(t, res), chosen)
	})
}

func TestSignUpForm_WithoutVerificationAPasswordAloneCreatesTheAccount(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.SignUp.Password = true; s.SignUp.VerifyIdentifiers = false })
		n := e.start(t)
		res, err := e.form(n, map[string]string{"email": "cy@example.com"})
		require.NoError(t, err)
		require.Equal(t, signup.Password, res.State)
		res, err = e.run(n, signup.ActionPassword, map[string]string{"password": "correct horse battery staple"})
		require.NoError(t, err)
		n.signedIn(t, res)
		require.Equal(t, flows.AMRPassword, res.Session.Session.AMR)
		require.Nil(t, e.identifiers(t, n.userID)[db.IdentifierEmail].VerifiedAt, "nothing proved the address")
		require.Zero(t, e.Sent("cy@example.com"))

		// Without a code to hide behind, a taken address is said at once.
		other := e.start(t)
		_, err = e.form(other, map[string]string{"email": "cy@example.com"})
		flowtest.RequirePublic(t, flows.ErrIdentifierTaken, err)
		require.Equal(t, "email", flows.Public(err).Field)
	})
}

func TestSignUpForm_ATakenEmailLooksFreeUntilItsCodeIsProved(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		owner, _ := e.signUpByEmail(t, "dee")

		taken := e.start(t)
		sent := e.Sent(owner.email)
		takenRes, err := e.form(taken, map[string]string{"email": owner.email})
		require.NoError(t, err)
		e.CodeTo(t, owner.email, sent)
		free := e.start(t)
		freeRes, err := e.form(free, map[string]string{"email": "nobody@example.com"})
		require.NoError(t, err)
		require.Equal(t, freeRes.State, takenRes.State)
		require.Equal(t, freeRes.Actions, takenRes.Actions)
		require.Equal(t,
			strings.ReplaceAll(mustJSON(t, freeRes.Output), "nobody@example.com", owner.email),
			mustJSON(t, takenRes.Output))
		before := e.Sent(owner.email)
		_, err = e.run(taken, signup.ActionCodeSend, struct{}{})
		require.NoError(t, err, "a new code is sent to a taken address as to any")

		// Whoever holds the address learns it is taken, and nothing more
		// happens.
		_, err = e.run(taken, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, owner.email, before)})
		flowtest.RequirePublic(t, flows.ErrIdentifierTaken, err)
		require.Equal(t, "email", flows.Public(err).Field)
		require.Equal(t, signup.Verify, e.flowState(t, taken))
		ids, err := e.Scope().Users().Identifiers(e.Ctx, owner.userID)
		require.NoError(t, err)
		require.Len(t, ids, 1)

		// The form again, with another address, goes on.
		res, err := e.form(taken, map[string]string{"email": "eve@example.com"})
		require.NoError(t, err)
		require.Equal(t, signup.Verify, res.State)
		res, err = e.run(taken, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, "eve@example.com", 0)})
		require.NoError(t, err)
		require.Equal(t, signup.PasskeyPrompt, res.State)
	})
}

func TestSignUpForm_WrongExpiredAndForeignCodesAreRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n := e.start(t)
		n.email = "fay@example.com"
		_, err := e.form(n, map[string]string{"email": n.email})
		require.NoError(t, err)
		code := e.CodeTo(t, n.email, 0)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": wrong})
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": ""})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, signup.Verify, e.flowState(t, n))

		// Another flow's code, for another address, does not work here.
		other := e.start(t)
		_, err = e.form(other, map[string]string{"email": "gus@example.com"})
		require.NoError(t, err)
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, "gus@example.com", 0)})
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)

		// Ten minutes on, the right code has expired.
		e.Clock.Advance(flows.CodeTTL + time.Second)
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": code})
		flowtest.RequirePublic(t, flows.ErrCodeExpired, err)
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, n.email)
		require.ErrorIs(t, err, db.ErrNotFound)

		// A new code works; the old one stays dead.
		before := e.Sent(n.email)
		_, err = e.run(n, signup.ActionCodeSend, struct{}{})
		require.NoError(t, err)
		fresh := e.CodeTo(t, n.email, before)
		if fresh != code {
			_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": code})
			flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		}
		res, err := e.run(n, signup.ActionCodeVerify, map[string]string{"code": fresh})
		require.NoError(t, err)
		n.signedIn(t, res)
	})
}

func TestSignUpForm_TooManyWrongCodesLockTheCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n := e.start(t)
		n.email = "hal@example.com"
		_, err := e.form(n, map[string]string{"email": n.email})
		require.NoError(t, err)
		code := e.CodeTo(t, n.email, 0)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for range flows.CodeMaxAttempts {
			_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": wrong})
			flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		}
		_, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": code})
		flowtest.RequirePublic(t, flows.ErrCodeLocked, err)
	})
}

func TestSignUpForm_TheTenantsIdentifiersAreTakenRequiredOnesEnforcedAndEachProved(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		refused := e.start(t)
		_, err := e.form(refused, map[string]string{"email": "ian@example.com", "username": "ian"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "username", flows.Public(err).Field, "the default tenant takes no username")
		_, err = e.form(refused, map[string]string{"phone": "+15555550100"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "email", flows.Public(err).Field, "the email address is required")
		_, err = e.form(refused, map[string]string{"email": "not an address"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "Enter an email address such as name@example.com.", flows.Public(err).Message)
		_, err = e.form(refused, map[string]string{"email": "ian@example.com", "nickname": "ian"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)

		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.SignUp.Identifiers = []string{tenants.IdentifierEmail, tenants.IdentifierPhone, tenants.IdentifierUsername}
			s.SignUp.Required = []string{tenants.IdentifierEmail, tenants.IdentifierUsername}
		})
		n := e.start(t)
		_, err = e.form(n, map[string]string{"email": "jo@example.com"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "username", flows.Public(err).Field)
		_, err = e.form(n, map[string]string{"email": "jo@example.com", "username": "jo", "phone": "jo"})
		flowtest.RequirePublic(t, flows.ErrInvalidInput, err)
		require.Equal(t, "phone", flows.Public(err).Field)

		const phone = "+15555550123"
		res, err := e.form(n, map[string]string{"email": "jo@example.com", "username": "Jo.Doe", "phone": "+1 555 555 0123"})
		require.NoError(t, err)
		require.Equal(t, signup.Verify, res.State)
		require.Equal(t, "email", res.Output.(signup.CodeSent).Kind, "the email address first")
		res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, "jo@example.com", 0)})
		require.NoError(t, err)
		require.Equal(t, signup.Verify, res.State, "then the phone")
		require.JSONEq(t, `{"kind":"phone","channel":"sms","sent_to":"`+phone+`"}`, mustJSON(t, res.Output))
		require.Nil(t, res.Session)
		res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, phone, 0)})
		require.NoError(t, err)
		n.signedIn(t, res)
		require.Equal(t, "otp,sms", res.Session.Session.AMR)
		ids := e.identifiers(t, n.userID)
		require.Len(t, ids, 3)
		require.NotNil(t, ids[db.IdentifierEmail].VerifiedAt)
		require.NotNil(t, ids[db.IdentifierPhone].VerifiedAt)
		require.Nil(t, ids[db.IdentifierUsername].VerifiedAt)
		require.Equal(t, "jo.doe", ids[db.IdentifierUsername].Value)

		// A username cannot be proved: a taken one is said at once.
		again := e.start(t)
		_, err = e.form(again, map[string]string{"email": "kim@example.com", "username": "JO.DOE"})
		flowtest.RequirePublic(t, flows.ErrIdentifierTaken, err)
		require.Equal(t, "username", flows.Public(err).Field)
		require.Zero(t, e.Sent("kim@example.com"))
	})
}

func TestSignUpForm_NothingToProveAndNoPasswordCreatesTheAccountAtOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.SignUp.Identifiers = []string{tenants.IdentifierUsername}
			s.SignUp.Required = []string{tenants.IdentifierUsername}
		})
		res, err := e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionSignUp, []byte(`{"username":"lee"}`), flows.RequestInfo{IP: "127.0.0.1"})
		require.NoError(t, err)
		require.Equal(t, signup.PasskeyPrompt, res.State)
		require.NotNil(t, res.Session)
		require.NotEmpty(t, res.Token)
	})
}

// TestSignUpForm_ACodeSentByTheFirstActionBelongsToTheStoredFlow: a flow
// started with sign_up in one request (Begin) checks the code that request
// sent.
func TestSignUpForm_ACodeSentByTheFirstActionBelongsToTheStoredFlow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n := &newcomer{email: "ray@example.com", req: flows.RequestInfo{IP: "127.0.0.1"}}
		res, err := e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionSignUp, []byte(`{"email":"ray@example.com"}`), n.req)
		require.NoError(t, err)
		require.Equal(t, signup.Verify, res.State)
		n.token = res.Token
		res, err = e.run(n, signup.ActionCodeVerify, map[string]string{"code": e.CodeTo(t, n.email, 0)})
		require.NoError(t, err)
		n.signedIn(t, res)
	})
}
