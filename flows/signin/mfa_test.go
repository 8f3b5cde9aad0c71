package signin_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

const (
	bobPassword = "correct horse battery staple"
	adaPassword = "ada's long passphrase"
)

// setPassword gives m the password pw.
func (e *signInEnv) setPassword(t *testing.T, m *member, pw string) {
	t.Helper()
	hash, err := password.Hash(pw)
	require.NoError(t, err)
	require.NoError(t, e.Scope().Users().SetPassword(e.Ctx, m.user.ID, hash))
}

// setMFA turns m's 2-step verification on.
func (e *signInEnv) setMFA(t *testing.T, m *member) {
	t.Helper()
	require.NoError(t, e.Scope().Users().SetMFA(e.Ctx, m.user.ID, true))
}

// addTOTP gives m a confirmed authenticator app and returns its secret.
func (e *signInEnv) addTOTP(t *testing.T, m *member) string {
	t.Helper()
	key, err := totp.Generate("Acme", m.email)
	require.NoError(t, err)
	require.NoError(t, e.Scope().TOTP().Start(e.Ctx, m.user.ID, key.Secret, e.Clock.Now()))
	// Confirmed with a step long past, so every current code is new.
	require.NoError(t, e.Scope().TOTP().Accept(e.Ctx, m.user.ID, 1, e.Clock.Now()))
	return key.Secret
}

// addBackupCodes gives m a fresh set of backup codes and returns them.
func (e *signInEnv) addBackupCodes(t *testing.T, m *member) []string {
	t.Helper()
	codes, hashes, err := backupcode.Generate(backupcode.MinCount)
	require.NoError(t, err)
	require.NoError(t, e.Scope().BackupCodes().Replace(e.Ctx, m.user.ID, hashes, e.Clock.Now()))
	return codes
}

// setMFAPolicy saves the tenant's MFA settings as edit leaves them.
func (e *signInEnv) setMFAPolicy(t *testing.T, edit func(m *tenants.MFA)) {
	t.Helper()
	e.UpdateSettings(t, func(s *tenants.Settings) { edit(&s.MFA) })
}

func (e *signInEnv) run(token, action string, input any) (*flows.Result, error) {
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	return e.engine.Run(e.Ctx, e.Tenant, token, action, raw, e.req)
}

func (e *signInEnv) password(token, pw string) (*flows.Result, error) {
	return e.run(token, signin.ActionPassword, map[string]string{"password": pw})
}

// identified starts a flow and identifies as identifier.
func (e *signInEnv) identified(t *testing.T, identifier string) string {
	t.Helper()
	token := e.start(t)
	e.identify(t, token, identifier)
	return token
}

// intoMFA returns the token of a flow where m passed the password and
// waits for the second factor.
func (e *signInEnv) intoMFA(t *testing.T, m *member, pw string) string {
	t.Helper()
	token := e.identified(t, m.email)
	res, err := e.password(token, pw)
	require.NoError(t, err)
	require.Equal(t, signin.MFA, res.State)
	require.Nil(t, res.Session)
	return token
}

// mfaUser is a member with a password, 2-step verification on and every
// factor: a passkey, an authenticator app and backup codes.
func (e *signInEnv) mfaUser(t *testing.T, name string) (*member, string, []string) {
	t.Helper()
	m := e.member(t, name, true)
	e.setPassword(t, m, bobPassword)
	e.setMFA(t, m)
	return m, e.addTOTP(t, m), e.addBackupCodes(t, m)
}

func TestPassword_TheRightPasswordSignsInWithPwdAndAWrongOneDoesNot(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, adaPassword)

		token := e.identified(t, ada.email)
		_, err := e.password(token, adaPassword+"!")
		require.Same(t, flows.ErrInvalidCredentials, flows.Public(err))
		require.Zero(t, e.sessions(t, ada.user.ID))
		require.Equal(t, string(signin.ChooseMethod), e.flow(t, token).State, "a wrong password leaves the flow where it was")

		res, err := e.password(token, adaPassword)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.NotNil(t, res.Session)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
		require.Equal(t, flows.AMRPassword, res.Session.Session.AMR)
		require.JSONEq(t, `{"user_id":"`+ada.user.ID.String()+`"}`, string(mustJSON(t, res.Output)))
		require.Equal(t, 1, e.sessions(t, ada.user.ID))

		// The finished flow is gone.
		_, err = e.password(token, adaPassword)
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
	})
}

func TestPassword_AWrongPasswordAnUnknownUserADisabledUserAndNoPasswordLookTheSame(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, adaPassword)
		e.member(t, "nopassword", false)
		disabled := e.member(t, "disabled", false)
		e.setPassword(t, disabled, adaPassword)
		at := e.Clock.Now()
		require.NoError(t, e.Scope().Users().SetDisabled(e.Ctx, disabled.user.ID, &at))

		attempt := func(identifier, pw string) (*flows.Result, error) {
			return e.password(e.identified(t, identifier), pw)
		}
		wrongRes, wrongErr := attempt(ada.email, "not it at all")
		require.Nil(t, wrongRes)
		require.Same(t, flows.ErrInvalidCredentials, flows.Public(wrongErr))
		for _, c := range []struct{ identifier, pw string }{
			{"nobody@example.com", adaPassword},
			{"nopassword@example.com", adaPassword},
			{"disabled@example.com", adaPassword},
		} {
			res, err := attempt(c.identifier, c.pw)
			require.Equal(t, wrongRes, res, c.identifier)
			require.Same(t, flows.Public(wrongErr), flows.Public(err), c.identifier)
			require.Equal(t, wrongErr.Error(), err.Error(), c.identifier)
		}
		require.Zero(t, e.sessions(t, disabled.user.ID))
	})
}

func TestPassword_AnSSOUserIsSentToSingleSignOn(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, adaPassword)
		require.NoError(t, e.Scope().Users().SetSSO(e.Ctx, ada.user.ID, true))

		_, err := e.password(e.identified(t, ada.email), adaPassword)
		require.ErrorIs(t, err, flows.ErrSSORequired)
		require.Zero(t, e.sessions(t, ada.user.ID))
	})
}

func TestPassword_FallbackMethodsAreTheTenantsImplementedMethodsForTheIdentifierKind(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, adaPassword)

		// The default: email → password, email_code; username → password.
		res := e.identify(t, e.start(t), "someone@example.com")
		require.JSONEq(t, `{"methods":["password","email_code"]}`, string(mustJSON(t, res.Output)))
		res = e.identify(t, e.start(t), "someone")
		require.JSONEq(t, `{"methods":["password"]}`, string(mustJSON(t, res.Output)))

		// A tenant with codes only for email offers just the code, and
		// refuses the password action for an email.
		next := e.Tenant.Settings
		next.SignIn = tenants.SignIn{Methods: map[string][]string{tenants.IdentifierEmail: {tenants.MethodEmailCode}, tenants.IdentifierUsername: {tenants.MethodPassword}}}
		tn, err := e.Tenants.UpdateSettings(e.Ctx, e.Tenant, next, true)
		require.NoError(t, err)
		e.Tenant = tn
		for _, identifier := range []string{ada.email, "nobody@example.com"} {
			token := e.start(t)
			res = e.identify(t, token, identifier)
			require.Equal(t, signin.ChooseMethod, res.State)
			require.JSONEq(t, `{"methods":["email_code"]}`, string(mustJSON(t, res.Output)), identifier)
			_, err = e.password(token, adaPassword)
			require.ErrorIs(t, err, flows.ErrMethodNotAvailable, identifier)
		}
		require.Zero(t, e.sessions(t, ada.user.ID))
	})
}

func TestPassword_OneLimitPerAccountWhicheverIdentifierIsTyped(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := &member{email: "ada@example.com"}
		ada.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: ada.email}
		require.NoError(t, e.Scope().Users().Create(e.Ctx, ada.user,
			&db.Identifier{Kind: db.IdentifierEmail, Value: ada.email},
			&db.Identifier{Kind: db.IdentifierUsername, Value: "ada"}))
		e.setPassword(t, ada, adaPassword)
		bob := e.member(t, "bob", false)
		e.setPassword(t, bob, bobPassword)

		// Ten wrong attempts, alternating the email and the username.
		for i := range signin.PasswordAttemptsPerAccount {
			identifier := ada.email
			if i%2 == 1 {
				identifier = "Ada"
			}
			_, err := e.password(e.identified(t, identifier), "wrong password")
			require.ErrorIs(t, err, flows.ErrInvalidCredentials, "attempt %d", i+1)
		}
		// The account is now limited under both names, even with the
		// right password.
		for _, identifier := range []string{"ada", ada.email} {
			_, err := e.password(e.identified(t, identifier), adaPassword)
			require.ErrorIs(t, err, flows.ErrTooManyAttempts, identifier)
		}
		require.Zero(t, e.sessions(t, ada.user.ID))
		// Another account is not.
		_, err := e.password(e.identified(t, bob.email), bobPassword)
		require.NoError(t, err)

		// After the window, ada can sign in again.
		e.Clock.Advance(signin.PasswordWindow)
		res, err := e.password(e.identified(t, "ada"), adaPassword)
		require.NoError(t, err)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
	})
}

func TestPassword_OneClientIPIsLimitedAcrossAccounts(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.req.IP = "203.0.113.9"
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, adaPassword)

		// 100 attempts on ten unknown accounts, ten each (each at its
		// account limit, none over it), the accounts concurrently: every
		// attempt is counted.
		perAccount := signin.PasswordAttemptsPerAccount
		accounts := signin.PasswordAttemptsPerIP / perAccount
		tokens := make([]string, accounts)
		for i := range tokens {
			tokens[i] = e.identified(t, "nobody"+string(rune('a'+i))+"@example.com")
		}
		errs := make([][]error, accounts)
		var wg sync.WaitGroup
		for i, token := range tokens {
			wg.Go(func() {
				for range perAccount {
					_, err := e.password(token, "guess")
					errs[i] = append(errs[i], err)
				}
			})
		}
		wg.Wait()
		for i := range errs {
			require.Len(t, errs[i], perAccount)
			for _, err := range errs[i] {
				require.ErrorIs(t, err, flows.ErrInvalidCredentials)
			}
		}
		// The 101st, on a fresh account with its right password, is over.
		_, err := e.password(e.identified(t, ada.email), adaPassword)
		require.ErrorIs(t, err, flows.ErrTooManyAttempts)
		require.Zero(t, e.sessions(t, ada.user.ID))

		// Another address is not limited.
		e.req.IP = "198.51.100.1"
		_, err = e.password(e.identified(t, ada.email), adaPassword)
		require.NoError(t, err)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
	})
}

func TestMFA_APasswordLeadsToTheSecondFactorWithoutASessionAndOffersAPasskeyFirst(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _, _ := e.mfaUser(t, "bob")

		// Identify offers bob's passkey; bob chooses his password instead.
		token := e.identified(t, bob.email)
		require.Equal(t, string(signin.Passkey), e.flow(t, token).State)
		res, err := e.password(token, bobPassword)
		require.NoError(t, err)
		require.Equal(t, signin.MFA, res.State)
		require.Nil(t, res.Session)
		require.Equal(t, []string{signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP, signin.ActionMFASMSSend, signin.ActionMFASMSVerify, signin.ActionMFABackupCode}, res.Actions)
		require.JSONEq(t, `{"factors":["webauthn","totp","backup_code"]}`, string(mustJSON(t, res.Output)))
		require.Zero(t, e.sessions(t, bob.user.ID), "no session row before the second factor")
		f := e.flow(t, token)
		require.Nil(t, f.Ceremony, "the identify ceremony is gone: the second factor starts its own")
		require.NotContains(t, f.Context, bobPassword)

		// Only what the tenant enables is offered.
		e.setMFAPolicy(t, func(m *tenants.MFA) { m.Factors = []string{tenants.FactorTOTP, tenants.FactorBackupCodes} })
		res, err = e.password(e.identified(t, bob.email), bobPassword)
		require.NoError(t, err)
		require.JSONEq(t, `{"factors":["totp","backup_code"]}`, string(mustJSON(t, res.Output)))
	})
}

func TestMFA_APasskeyCompletesThePasswordSignIn(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _, _ := e.mfaUser(t, "bob")
		// WebAuthn stays a second factor when passkey sign-in is off.
		e.setPasskeys(t, func(p *tenants.Passkeys) { p.SignIn = false })

		token := e.intoMFA(t, bob, bobPassword)
		res, err := e.run(token, signin.ActionMFAPasskeyBegin, map[string]any{})
		require.NoError(t, err)
		require.Equal(t, signin.MFA, res.State)
		begun, ok := res.Output.(passkey.Begun)
		require.True(t, ok, "output %T", res.Output)
		var opts struct {
			AllowCredentials []struct {
				ID string `json:"id"`
			} `json:"allowCredentials"`
		}
		require.NoError(t, json.Unmarshal(begun.Passkey.PublicKey, &opts))
		require.Len(t, opts.AllowCredentials, 1)
		require.Equal(t, b64(bob.row.CredentialID), opts.AllowCredentials[0].ID)

		res, err = e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionMFAPasskeyFinish, bob.answer(t, e, begun.Passkey.PublicKey), e.req)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, bob.user.ID, res.Session.Session.UserID)
		require.Equal(t, "pwd,webauthn,mfa", res.Session.Session.AMR)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
		require.NotNil(t, e.credential(t, bob.row).LastUsedAt, "the sign-in is recorded on the passkey")
	})
}

func TestMFA_AnotherUsersPasskeyOrAForgedOneDoesNotPassTheSecondFactor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _, _ := e.mfaUser(t, "bob")
		eve := e.member(t, "eve", true)

		for name, answer := range map[string]func(json.RawMessage) json.RawMessage{
			"eve's passkey": func(pk json.RawMessage) json.RawMessage { return eve.answer(t, e, pk) },
			"forged":        func(pk json.RawMessage) json.RawMessage { return bob.forged(t, e, pk) },
		} {
			token := e.intoMFA(t, bob, bobPassword)
			res, err := e.run(token, signin.ActionMFAPasskeyBegin, nil)
			require.NoError(t, err)
			publicKey := res.Output.(passkey.Begun).Passkey.PublicKey
			_, err = e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionMFAPasskeyFinish, answer(publicKey), e.req)
			require.Same(t, flows.ErrPasskeyFailed, flows.Public(err), name)
			f := e.flow(t, token)
			require.Equal(t, string(signin.MFA), f.State, name)
			require.Nil(t, f.Ceremony, "%s: the ceremony is spent", name)
			// The real answer to the spent ceremony fails too.
			_, err = e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionMFAPasskeyFinish, bob.answer(t, e, publicKey), e.req)
			require.ErrorIs(t, err, flows.ErrCeremonyMissing, name)
		}
		require.Zero(t, e.sessions(t, bob.user.ID))
		require.Zero(t, e.sessions(t, eve.user.ID))
	})
}

func TestMFA_ATOTPCodeCompletesTheSignInOnceAndIsRefusedWhenReplayed(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, secret, _ := e.mfaUser(t, "bob")

		token := e.intoMFA(t, bob, bobPassword)
		code := e.TOTPCode(t, secret)
		wrong := string('0'+(code[0]-'0'+1)%10) + code[1:]
		_, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": wrong})
		require.Same(t, flows.ErrInvalidCode, flows.Public(err))
		require.Equal(t, string(signin.MFA), e.flow(t, token).State)

		res, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": code})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, bob.user.ID, res.Session.Session.UserID)
		require.Equal(t, "pwd,otp,mfa", res.Session.Session.AMR)

		// The same code in a new flow, within its window, is refused.
		again := e.intoMFA(t, bob, bobPassword)
		_, err = e.run(again, signin.ActionMFATOTP, map[string]string{"code": code})
		require.Same(t, flows.ErrInvalidCode, flows.Public(err))
		require.Equal(t, 1, e.sessions(t, bob.user.ID))

		// The next step's code works.
		e.Clock.Advance(totp.Period * time.Second)
		_, err = e.run(again, signin.ActionMFATOTP, map[string]string{"code": e.TOTPCode(t, secret)})
		require.NoError(t, err)
		require.Equal(t, 2, e.sessions(t, bob.user.ID))
	})
}

func TestMFA_ABackupCodeCompletesTheSignInOnlyOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _, codes := e.mfaUser(t, "bob")

		token := e.intoMFA(t, bob, bobPassword)
		res, err := e.run(token, signin.ActionMFABackupCode, map[string]string{"code": codes[3]})
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, "pwd,backup_code,mfa", res.Session.Session.AMR)

		again := e.intoMFA(t, bob, bobPassword)
		_, err = e.run(again, signin.ActionMFABackupCode, map[string]string{"code": codes[3]})
		require.Same(t, flows.ErrInvalidCode, flows.Public(err))
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
		unused, err := e.Scope().BackupCodes().Unused(e.Ctx, bob.user.ID)
		require.NoError(t, err)
		require.Len(t, unused, len(codes)-1)

		// Another code works, typed loosely.
		_, err = e.run(again, signin.ActionMFABackupCode, map[string]string{"code": " " + codes[4] + " "})
		require.NoError(t, err)
		require.Equal(t, 2, e.sessions(t, bob.user.ID))
	})
}

func TestMFA_SecondFactorAttemptsAreLimitedPerUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, secret, codes := e.mfaUser(t, "bob")

		// Wrong codes over two flows (so a new flow does not reset it).
		token := e.intoMFA(t, bob, bobPassword)
		for i := range signin.MFAAttemptsPerUser {
			if i == signin.MFAAttemptsPerUser/2 {
				token = e.intoMFA(t, bob, bobPassword)
			}
			_, err := e.run(token, signin.ActionMFABackupCode, map[string]string{"code": "aaaaa-aaaaa"})
			require.ErrorIs(t, err, flows.ErrInvalidCode, "attempt %d", i+1)
		}
		_, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": e.TOTPCode(t, secret)})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts)
		_, err = e.run(token, signin.ActionMFABackupCode, map[string]string{"code": codes[0]})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts)
		require.Zero(t, e.sessions(t, bob.user.ID))
		unused, err := e.Scope().BackupCodes().Unused(e.Ctx, bob.user.ID)
		require.NoError(t, err)
		require.Len(t, unused, len(codes), "a refused attempt uses no code")
	})
}

func TestMFA_AMandatoryPolicyRequiresASecondFactorOfEveryUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.setMFAPolicy(t, func(m *tenants.MFA) { m.Policy = tenants.MFAMandatory })
		// ada has not turned 2-step on, but has an app.
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, adaPassword)
		secret := e.addTOTP(t, ada)
		token := e.intoMFA(t, ada, adaPassword)
		require.Zero(t, e.sessions(t, ada.user.ID))
		res, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": e.TOTPCode(t, secret)})
		require.NoError(t, err)
		require.Equal(t, "pwd,otp,mfa", res.Session.Session.AMR)

		// cid has no factor at all: no session, and the flow does not
		// reach mfa but the setting up of one (enrol_test.go).
		cid := e.member(t, "cid", false)
		e.setPassword(t, cid, adaPassword)
		token = e.identified(t, cid.email)
		res, err = e.password(token, adaPassword)
		require.NoError(t, err)
		require.Equal(t, signin.MFAEnroll, res.State)
		require.Nil(t, res.Session)
		require.Zero(t, e.sessions(t, cid.user.ID))

		// Nor does a user-controlled tenant let a user with 2-step on but
		// no factor left in on the password alone.
		e.setMFAPolicy(t, func(m *tenants.MFA) { m.Policy = tenants.MFAUserControlled })
		e.setMFA(t, cid)
		_, err = e.password(e.identified(t, cid.email), adaPassword)
		require.ErrorIs(t, err, flows.ErrMFAEnrollmentRequired)
		require.Zero(t, e.sessions(t, cid.user.ID))
	})
}

func TestMFA_APasskeySignInNeedsNoSecondFactor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.setMFAPolicy(t, func(m *tenants.MFA) { m.Policy = tenants.MFAMandatory })
		bob, _, _ := e.mfaUser(t, "bob")

		// Discoverable ("Continue with passkey").
		token, publicKey := e.begin(t)
		res, err := e.finish(token, bob.answer(t, e, publicKey))
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, flows.AMRWebAuthn, res.Session.Session.AMR)

		// Identifier first ("Verify via passkey").
		token = e.start(t)
		res = e.identify(t, token, bob.email)
		var out struct {
			Passkey struct {
				PublicKey json.RawMessage `json:"publicKey"`
			} `json:"passkey"`
		}
		require.NoError(t, json.Unmarshal(mustJSON(t, res.Output), &out))
		res, err = e.finish(token, bob.answer(t, e, out.Passkey.PublicKey))
		require.NoError(t, err)
		require.Equal(t, flows.AMRWebAuthn, res.Session.Session.AMR)
		require.Equal(t, 2, e.sessions(t, bob.user.ID))
	})
}

func TestMFA_NoOrderOfRequestsSignsInWithoutThePasswordAndASecondFactor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, secret, codes := e.mfaUser(t, "bob")
		// bob has every factor, an SMS one too.
		e.enableSMSFactor(t)
		e.setSMSFactor(t, bob, bobPhone)
		mfaActions := []string{signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP, signin.ActionMFASMSSend, signin.ActionMFASMSVerify, signin.ActionMFABackupCode}
		tryFactors := func(token string) {
			t.Helper()
			for _, action := range mfaActions {
				input := map[string]string{"code": e.TOTPCode(t, secret)}
				if action == signin.ActionMFABackupCode {
					input["code"] = codes[0]
				}
				if action == signin.ActionMFAPasskeyBegin || action == signin.ActionMFAPasskeyFinish || action == signin.ActionMFASMSSend {
					input = map[string]string{}
				}
				_, err := e.run(token, action, input)
				require.ErrorIs(t, err, flows.ErrActionNotAllowed, action)
			}
		}

		// Second factors before any password: in identify, passkey and
		// choose_method (and after a wrong password).
		tryFactors(e.start(t))
		tryFactors(e.identified(t, bob.email))
		token := e.identified(t, bob.email)
		_, err := e.run(token, signin.ActionChooseMethod, nil)
		require.NoError(t, err)
		tryFactors(token)
		_, err = e.password(token, "wrong password")
		require.ErrorIs(t, err, flows.ErrInvalidCredentials)
		tryFactors(token)
		// Nor does Begin start a flow in any of them.
		for _, action := range append(mfaActions, signin.ActionPassword) {
			_, err := e.engine.Begin(e.Ctx, e.Tenant, signin.Context{}, action, json.RawMessage(`{}`), e.req)
			require.ErrorIs(t, err, flows.ErrActionNotAllowed, action)
		}

		// In mfa: the first-factor passkey finish, with a valid answer to
		// the mfa ceremony, is refused and spends nothing; so are the
		// password again, identify (to swap the user) and the other
		// first-factor steps.
		token = e.intoMFA(t, bob, bobPassword)
		res, err := e.run(token, signin.ActionMFAPasskeyBegin, nil)
		require.NoError(t, err)
		answer := bob.answer(t, e, res.Output.(passkey.Begun).Passkey.PublicKey)
		_, err = e.finish(token, answer)
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
		_, err = e.password(token, bobPassword)
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
		_, err = e.run(token, signin.ActionIdentify, map[string]string{"identifier": "eve@example.com"})
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
		for _, action := range []string{signin.ActionChooseMethod, signin.ActionPasskeyBegin} {
			_, err = e.run(token, action, nil)
			require.ErrorIs(t, err, flows.ErrActionNotAllowed, action)
		}
		require.Zero(t, e.sessions(t, bob.user.ID))
		require.Equal(t, string(signin.MFA), e.flow(t, token).State)

		// The ceremony survived the refused finish; the mfa path takes it.
		res, err = e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionMFAPasskeyFinish, answer, e.req)
		require.NoError(t, err)
		require.Equal(t, "pwd,webauthn,mfa", res.Session.Session.AMR)

		// The finished flow's token leads nowhere.
		for _, action := range mfaActions {
			_, err = e.run(token, action, map[string]string{})
			require.ErrorIs(t, err, flows.ErrFlowNotFound, action)
		}
		_, err = e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionMFAPasskeyFinish, answer, e.req)
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
		_, err = e.finish(token, answer)
		require.ErrorIs(t, err, flows.ErrCeremonyMissing)
		require.Equal(t, 1, e.sessions(t, bob.user.ID))
	})
}
