package signin_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// signInEnv is the shared flow test environment with the sign-in engine.
type signInEnv struct {
	*flowtest.Env
	engine *flows.Engine[signin.Context]
	req    flows.RequestInfo
	// audits records the engine's authentication-attempt log lines.
	audits *auditLog
}

func newSignInEnv(t *testing.T, d *db.DB) *signInEnv {
	t.Helper()
	env := flowtest.New(t, d)
	audits := &auditLog{}
	deps := env.Deps()
	deps.Logger = slog.New(audits)
	engine, err := signin.New(deps)
	require.NoError(t, err)
	return &signInEnv{Env: env, engine: engine, req: flows.RequestInfo{UserAgent: "test", IP: "127.0.0.1"}, audits: audits}
}

// setPasskeys saves the tenant's passkey settings as edit leaves them.
func (e *signInEnv) setPasskeys(t *testing.T, edit func(p *tenants.Passkeys)) {
	t.Helper()
	e.UpdateSettings(t, func(s *tenants.Settings) { edit(&s.Passkeys) })
}

// member is a user of the tenant, with a passkey on a virtual
// authenticator when made so.
type member struct {
	user   *db.User
	email  string
	device *flowtest.Device
	row    *db.Credential
}

// member creates a user with the email name@example.com and, with
// withPasskey, registers a passkey through the real ceremony.
func (e *signInEnv) member(t *testing.T, name string, withPasskey bool) *member {
	t.Helper()
	m := &member{email: name + "@example.com"}
	m.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: m.email}
	// A member proved their address at sign-up: a code to an address
	// never proved signs in to nothing (see code.go).
	proved := e.Clock.Now()
	require.NoError(t, e.Scope().Users().Create(e.Ctx, m.user, &db.Identifier{Kind: db.IdentifierEmail, Value: m.email, VerifiedAt: &proved}))
	if withPasskey {
		m.addPasskey(t, e)
	}
	return m
}

// addPasskey registers a (further) passkey for m, which then answers with
// it.
func (m *member) addPasskey(t *testing.T, e *signInEnv) *db.Credential {
	t.Helper()
	m.device = flowtest.NewDevice(m.user.WebAuthnHandle)
	reg := passkey.Registrant{Handle: m.user.WebAuthnHandle, Name: m.email}
	opts, c, err := e.Passkeys.BeginRegistration(e.Tenant, reg)
	require.NoError(t, err)
	cred, err := e.Passkeys.FinishRegistration(e.Ctx, e.Tenant, c, reg, []byte(m.device.Create(t, e.RelyingParty(), opts.PublicKey)), "", "")
	require.NoError(t, err)
	cred.UserID = m.user.ID
	require.NoError(t, e.Scope().Credentials().Create(e.Ctx, cred))
	m.row = cred
	return cred
}

// answer returns the passkey.finish input answering the request options
// publicKey with m's passkey.
func (m *member) answer(t *testing.T, e *signInEnv, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	return flowtest.Credential(t, m.device.Get(t, e.RelyingParty(), publicKey))
}

// forged returns m's answer with a signature by another key: the real
// credential id, a valid everything else.
func (m *member) forged(t *testing.T, e *signInEnv, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	other := *m.device
	other.Cred.Key = softkey.NewEC2().Key
	return flowtest.Credential(t, other.Get(t, e.RelyingParty(), publicKey))
}

// begin starts a discoverable passkey sign-in and returns its flow token and
// request options.
func (e *signInEnv) begin(t *testing.T) (string, json.RawMessage) {
	t.Helper()
	res, err := e.engine.Begin(e.Ctx, e.Tenant, signin.Context{}, signin.ActionPasskeyBegin, nil, e.req)
	require.NoError(t, err)
	require.NotEmpty(t, res.Token)
	begun, ok := res.Output.(passkey.Begun)
	require.True(t, ok, "output %T", res.Output)
	return res.Token, begun.Passkey.PublicKey
}

// start creates a flow in the identify state.
func (e *signInEnv) start(t *testing.T) string {
	t.Helper()
	res, err := e.engine.Start(e.Ctx, e.Tenant, signin.Context{})
	require.NoError(t, err)
	return res.Token
}

func (e *signInEnv) finish(token string, input json.RawMessage) (*flows.Result, error) {
	return e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionPasskeyFinish, input, e.req)
}

func (e *signInEnv) identify(t *testing.T, token, identifier string) *flows.Result {
	t.Helper()
	res, err := e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionIdentify, mustJSON(t, map[string]string{"identifier": identifier}), e.req)
	require.NoError(t, err)
	return res
}

// sessions counts the user's live sessions.
func (e *signInEnv) sessions(t *testing.T, userID uuid.UUID) int {
	t.Helper()
	s, err := e.Scope().Sessions().ByUser(e.Ctx, userID, e.Clock.Now())
	require.NoError(t, err)
	return len(s)
}

// flow reads the flow of token back.
func (e *signInEnv) flow(t *testing.T, token string) *db.Flow {
	t.Helper()
	f, err := e.Scope().Flows().ByToken(e.Ctx, flows.HashToken(token))
	require.NoError(t, err)
	return f
}

func (e *signInEnv) credential(t *testing.T, c *db.Credential) *db.Credential {
	t.Helper()
	got, err := e.Scope().Credentials().Get(e.Ctx, c.UserID, c.ID)
	require.NoError(t, err)
	return got
}

func TestSignIn_DiscoverablePasskeyIssuesAWebAuthnSessionWithinItsStatementBudget(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)

		ctx, count := db.CountStatements(e.Ctx)
		res, err := e.engine.Begin(ctx, e.Tenant, signin.Context{}, signin.ActionPasskeyBegin, nil, e.req)
		require.NoError(t, err)
		require.Equal(t, 1, count.N(), "a begin stores the flow and its ceremony in one statement")
		require.Len(t, count.Log(), 1, "and sends nothing else: no BEGIN and COMMIT around it")
		require.Equal(t, signin.Identify, res.State)
		begun := res.Output.(passkey.Begun)
		var opts struct {
			RPID             string            `json:"rpId"`
			AllowCredentials []json.RawMessage `json:"allowCredentials"`
			UserVerification string            `json:"userVerification"`
		}
		require.NoError(t, json.Unmarshal(begun.Passkey.PublicKey, &opts))
		require.Equal(t, e.Passkeys.RelyingParty(e.Tenant).ID, opts.RPID)
		require.Empty(t, opts.AllowCredentials)
		require.Equal(t, "required", opts.UserVerification)

		e.Clock.Advance(time.Minute)
		ctx, count = db.CountStatements(e.Ctx)
		res, err = e.engine.Run(ctx, e.Tenant, res.Token, signin.ActionPasskeyFinish, ada.answer(t, e, begun.Passkey.PublicKey), e.req)
		require.NoError(t, err)
		// The finish's budget (README, Performance): take the flow, load
		// the credential with its user, record the sign-in on the
		// credential, create the session with its audit event (one
		// statement on PostgreSQL, two on SQLite). BEGIN and COMMIT are
		// not counted in N; the log holds them, once each.
		budget := 4
		if d.Dialect() == db.SQLite {
			budget = 5
		}
		require.Equal(t, budget, count.N(), "finish statements:\n%s", strings.Join(count.Log(), "\n"))
		require.Len(t, count.Log(), budget+2, "and one BEGIN and one COMMIT around them:\n%s", strings.Join(count.Log(), "\n"))
		require.Equal(t, flows.Done, res.State)
		require.Empty(t, res.Actions)
		require.NotNil(t, res.Session)
		require.NotEmpty(t, res.Session.Token)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
		require.Equal(t, flows.AMRWebAuthn, res.Session.Session.AMR)
		require.JSONEq(t, `{"user_id":"`+ada.user.ID.String()+`"}`, string(mustJSON(t, res.Output)))

		s, err := flows.LookupSession(e.Ctx, e.Scope(), res.Session.Token, e.Clock.Now())
		require.NoError(t, err)
		require.Equal(t, ada.user.ID, s.UserID)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
		row := e.credential(t, ada.row)
		require.NotNil(t, row.LastUsedAt)
		require.WithinDuration(t, e.Clock.Now(), *row.LastUsedAt, time.Millisecond)
	})
}

func TestSignIn_AReplayedFinishFailsEvenWithACounterOfZero(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		token, publicKey := e.begin(t)
		input := ada.answer(t, e, publicKey)
		_, err := e.finish(token, input)
		require.NoError(t, err)
		require.Zero(t, e.credential(t, ada.row).SignCount, "a synced passkey: the counter cannot stop a replay")

		// 21: the ceremony is gone with the flow.
		for range 2 {
			_, err = e.finish(token, input)
			require.ErrorIs(t, err, flows.ErrCeremonyMissing)
		}
		require.Equal(t, 1, e.sessions(t, ada.user.ID))

		// Nor does it answer a new ceremony of another flow.
		other, _ := e.begin(t)
		_, err = e.finish(other, input)
		flowtest.RequirePublic(t, flows.ErrPasskeyFailed, err)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
	})
}

func TestSignIn_ConcurrentFinishesCreateExactlyOneSession(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		token, publicKey := e.begin(t)
		input := ada.answer(t, e, publicKey)

		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = e.finish(token, input)
			})
		}
		close(start)
		wg.Wait()

		// 21: one wins; every other finds the ceremony taken.
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, flows.ErrCeremonyMissing)
		}
		require.Equal(t, 1, won)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
	})
}

func TestSignIn_AFailedFinishConsumesTheCeremonyAndKeepsTheFlow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		token, publicKey := e.begin(t)

		_, err := e.finish(token, ada.forged(t, e, publicKey))
		flowtest.RequirePublic(t, flows.ErrPasskeyFailed, err)
		f := e.flow(t, token)
		require.Nil(t, f.Ceremony)
		require.Nil(t, f.CeremonyExpiresAt)
		require.Equal(t, string(signin.Identify), f.State)

		// 21: the valid answer to the same ceremony now fails too ...
		_, err = e.finish(token, ada.answer(t, e, publicKey))
		require.ErrorIs(t, err, flows.ErrCeremonyMissing)
		require.Zero(t, e.sessions(t, ada.user.ID))
		require.Nil(t, e.credential(t, ada.row).LastUsedAt)

		// ... and the flow goes on.
		res := e.identify(t, token, ada.email)
		require.Equal(t, signin.Passkey, res.State)
	})
}

func TestSignIn_FailuresLookTheSame(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		bob := e.member(t, "bob", true)
		at := e.Clock.Now()
		require.NoError(t, e.Scope().Users().SetDisabled(e.Ctx, bob.user.ID, &at))

		// 23: a forged signature, a disabled user and garbage give the
		// client the same error.
		cases := map[string]func(publicKey json.RawMessage) json.RawMessage{
			"forged signature": func(pk json.RawMessage) json.RawMessage { return ada.forged(t, e, pk) },
			"disabled user":    func(pk json.RawMessage) json.RawMessage { return bob.answer(t, e, pk) },
			"garbage":          func(json.RawMessage) json.RawMessage { return json.RawMessage(`{"credential":{"id":"AA"}}`) },
		}
		for name, input := range cases {
			token, publicKey := e.begin(t)
			_, err := e.finish(token, input(publicKey))
			require.Same(t, flows.ErrPasskeyFailed, flows.Public(err), name)
		}
		// A credential id the tenant does not hold is told apart, so the
		// page can ask the browser to forget it (signalUnknownCredential):
		// the client sent the id, and learns nothing about any user.
		stranger := *ada
		stranger.device = &flowtest.Device{Auth: ada.device.Auth, Cred: softkey.NewEC2()}
		token, publicKey := e.begin(t)
		_, err := e.finish(token, stranger.answer(t, e, publicKey))
		unknown := flows.Public(err)
		require.ErrorIs(t, unknown, flows.ErrPasskeyUnknown)
		require.Equal(t, flows.ErrPasskeyUnknown.Message, unknown.Message)
		// The answer names the credential the client sent, for the page's
		// signalUnknownCredential, and nothing else.
		require.Equal(t, &errcode.UnknownCredential{RPID: e.RelyingParty().ID, CredentialID: base64.RawURLEncoding.EncodeToString(stranger.device.Cred.ID)}, unknown.Credential)
		require.Zero(t, e.sessions(t, ada.user.ID))
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestSignIn_AnExpiredCeremonyFails(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		early, earlyKey := e.begin(t)
		late, lateKey := e.begin(t)

		e.Clock.Advance(passkey.CeremonyTTL - time.Second)
		_, err := e.finish(early, ada.answer(t, e, earlyKey))
		require.NoError(t, err)

		e.Clock.Advance(time.Second)
		_, err = e.finish(late, ada.answer(t, e, lateKey))
		require.ErrorIs(t, err, flows.ErrCeremonyMissing)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
		// The flow itself lives on (30 minutes) and can start again.
		require.Equal(t, string(signin.Identify), e.flow(t, late).State)
	})
}

func TestSignIn_IdentifyLooksTheSameForUnknownUsersAndUsersWithoutPasskeys(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.member(t, "nopasskey", false)
		// A passkey only under an RP ID the tenant no longer uses is no
		// passkey.
		stale := e.member(t, "stale", false)
		row := &db.Credential{UserID: stale.user.ID, RPID: "old.localhost", CredentialID: random(t, 16), PublicKey: []byte{1}, Algorithm: -7, Name: "old"}
		require.NoError(t, e.Scope().Credentials().Create(e.Ctx, row))
		disabled := e.member(t, "disabled", true)
		at := e.Clock.Now()
		require.NoError(t, e.Scope().Users().SetDisabled(e.Ctx, disabled.user.ID, &at))

		// 23: the client cannot tell these apart.
		unknown := e.identify(t, e.start(t), "nobody@example.com")
		require.Equal(t, signin.ChooseMethod, unknown.State)
		require.JSONEq(t, `{"methods":["password","email_code"]}`, string(mustJSON(t, unknown.Output)))
		for _, identifier := range []string{"nopasskey@example.com", "NoPasskey@Example.com", "stale@example.com", "disabled@example.com"} {
			res := e.identify(t, e.start(t), identifier)
			require.Equal(t, unknown.State, res.State, identifier)
			require.Equal(t, unknown.Actions, res.Actions, identifier)
			require.JSONEq(t, string(mustJSON(t, unknown.Output)), string(mustJSON(t, res.Output)), identifier)
			require.Empty(t, res.Token)
		}
	})
}

func TestSignIn_IdentifyOffersExactlyThatUsersPasskeysUnderTheRPID(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		first := ada.row
		second := ada.addPasskey(t, e) // ada now answers with her second
		staleRow := &db.Credential{UserID: ada.user.ID, RPID: "old.localhost", CredentialID: random(t, 16), PublicKey: []byte{1}, Algorithm: -7, Name: "old"}
		require.NoError(t, e.Scope().Credentials().Create(e.Ctx, staleRow))
		bob := e.member(t, "bob", true)

		token := e.start(t)
		res := e.identify(t, token, "Ada@Example.com")
		require.Equal(t, signin.Passkey, res.State)
		require.Equal(t, []string{signin.ActionIdentify, signin.ActionChooseMethod, signin.ActionPasskeyBegin, signin.ActionPasskeyFinish, signin.ActionPassword, signin.ActionCodeSend, signin.ActionFederationBegin}, res.Actions)
		var out struct {
			Methods []string `json:"methods"`
			Passkey struct {
				PublicKey struct {
					RPID             string `json:"rpId"`
					AllowCredentials []struct {
						ID   string `json:"id"`
						Type string `json:"type"`
					} `json:"allowCredentials"`
				} `json:"publicKey"`
			} `json:"passkey"`
		}
		raw := mustJSON(t, res.Output)
		require.NoError(t, json.Unmarshal(raw, &out))
		require.Equal(t, []string{signin.MethodPasskey, signin.MethodPassword, signin.MethodEmailCode}, out.Methods)
		require.Equal(t, e.Passkeys.RelyingParty(e.Tenant).ID, out.Passkey.PublicKey.RPID)
		var ids []string
		for _, c := range out.Passkey.PublicKey.AllowCredentials {
			require.Equal(t, "public-key", c.Type)
			ids = append(ids, c.ID)
		}
		slices.Sort(ids)
		want := []string{b64(first.CredentialID), b64(second.CredentialID)}
		slices.Sort(want)
		require.Equal(t, want, ids)

		var publicKey struct {
			Passkey struct {
				PublicKey json.RawMessage `json:"publicKey"`
			} `json:"passkey"`
		}
		require.NoError(t, json.Unmarshal(raw, &publicKey))
		// 13: bob's passkey does not answer ada's ceremony ...
		_, err := e.finish(token, bob.answer(t, e, publicKey.Passkey.PublicKey))
		flowtest.RequirePublic(t, flows.ErrPasskeyFailed, err)
		require.Zero(t, e.sessions(t, bob.user.ID))

		// ... ada's does.
		token = e.start(t)
		res = e.identify(t, token, "ada@example.com")
		require.NoError(t, json.Unmarshal(mustJSON(t, res.Output), &publicKey))
		res, err = e.finish(token, ada.answer(t, e, publicKey.Passkey.PublicKey))
		require.NoError(t, err)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
	})
}

func TestSignIn_PasskeySignInDisabledRefusesBeginAndFinish(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		token, publicKey := e.begin(t)
		input := ada.answer(t, e, publicKey)
		e.setPasskeys(t, func(p *tenants.Passkeys) { p.SignIn = false })

		_, err := e.engine.Begin(e.Ctx, e.Tenant, signin.Context{}, signin.ActionPasskeyBegin, nil, e.req)
		require.ErrorIs(t, err, flows.ErrPasskeySignInDisabled)
		_, err = e.engine.Run(e.Ctx, e.Tenant, e.start(t), signin.ActionPasskeyBegin, nil, e.req)
		require.ErrorIs(t, err, flows.ErrPasskeySignInDisabled)
		_, err = e.finish(token, input)
		require.ErrorIs(t, err, flows.ErrPasskeySignInDisabled)
		require.Zero(t, e.sessions(t, ada.user.ID))
		// Identify no longer offers a passkey.
		res := e.identify(t, e.start(t), ada.email)
		require.Equal(t, signin.ChooseMethod, res.State)

		// Turned back on, the refused finish's ceremony is spent.
		e.setPasskeys(t, func(p *tenants.Passkeys) { p.SignIn = true })
		_, err = e.finish(token, input)
		require.ErrorIs(t, err, flows.ErrCeremonyMissing)

		// Autofill off refuses conditional mediation only.
		e.setPasskeys(t, func(p *tenants.Passkeys) { p.Autofill = false })
		_, err = e.engine.Begin(e.Ctx, e.Tenant, signin.Context{}, signin.ActionPasskeyBegin, json.RawMessage(`{"mediation":"conditional"}`), e.req)
		flowtest.RequirePublic(t, flows.ErrPasskeySignInDisabled, err)
		e.begin(t)
	})
}

func TestSignIn_AnSSOUserIsRefusedAtFinish(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		require.NoError(t, e.Scope().Users().SetSSO(e.Ctx, ada.user.ID, true))

		token, publicKey := e.begin(t)
		_, err := e.finish(token, ada.answer(t, e, publicKey))
		require.ErrorIs(t, err, flows.ErrSSORequired)
		require.Zero(t, e.sessions(t, ada.user.ID))
		require.Nil(t, e.credential(t, ada.row).LastUsedAt, "nothing recorded")
		require.Nil(t, e.flow(t, token).Ceremony)

		res := e.identify(t, e.start(t), ada.email)
		require.Equal(t, signin.ChooseMethod, res.State)
		require.JSONEq(t, `{"methods":["sso"]}`, string(mustJSON(t, res.Output)))
	})
}

func TestSignIn_EveryUndeclaredStateActionPairIsRefused(t *testing.T) {
	t.Parallel()
	m := signin.Machine(nil)
	enrolStates := []flows.State{signin.MFAEnroll, signin.MFAEnrollTOTP, signin.MFAEnrollSMS, signin.MFAEnrollBackupCodes}
	enrolActions := []string{
		signin.ActionEnrollChoose, signin.ActionEnrollTOTPStart, signin.ActionEnrollTOTPConfirm, signin.ActionEnrollSMSSend,
		signin.ActionEnrollSMSVerify, signin.ActionEnrollPasskeyBegin, signin.ActionEnrollPasskeyFinish, signin.ActionEnrollBackupCodesAck,
	}
	require.ElementsMatch(t, append([]flows.State{signin.Identify, signin.Passkey, signin.ChooseMethod, signin.Code, signin.MFA, signin.Upstream, signin.UpstreamExchanging, flows.Done}, enrolStates...), m.States())
	require.ElementsMatch(t, append([]string{
		signin.ActionIdentify, signin.ActionChooseMethod, signin.ActionPasskeyBegin, signin.ActionPasskeyFinish, signin.ActionPassword,
		signin.ActionCodeSend, signin.ActionCodeVerify, signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP,
		signin.ActionMFASMSSend, signin.ActionMFASMSVerify, signin.ActionMFABackupCode,
		signin.ActionFederationBegin, signin.ActionFederationFinish, signin.ActionFederationAssert, signin.ActionFederationClaim,
	}, enrolActions...), m.ActionNames())

	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		e.member(t, "ada", true)
		// bob has a password, 2-step verification and every factor.
		e.enableSMSFactor(t)
		bob := e.member(t, "bob", true)
		e.setPassword(t, bob, bobPassword)
		e.setMFA(t, bob)
		e.addTOTP(t, bob)
		e.addBackupCodes(t, bob)
		e.setSMSFactor(t, bob, bobPhone)

		// row returns the token of a flow row left in state st, holding a
		// ceremony.
		row := func(t *testing.T, st flows.State) string {
			_, c, err := e.Passkeys.BeginSignIn(e.Tenant, nil, nil, "")
			require.NoError(t, err)
			enc, err := c.Encode()
			require.NoError(t, err)
			token, hash := flows.NewToken()
			now := e.Clock.Now()
			expires := now.Add(passkey.CeremonyTTL)
			require.NoError(t, e.Scope().Flows().Create(e.Ctx, &db.Flow{
				Kind: signin.Kind, State: string(st), Context: "{}", TokenHash: hash,
				CreatedAt: now, ExpiresAt: now.Add(30 * time.Minute), Ceremony: &enc, CeremonyExpiresAt: &expires,
			}))
			return token
		}

		// into returns the token of a new flow in state s.
		into := map[flows.State]func(t *testing.T) string{
			signin.Identify: func(t *testing.T) string { return e.start(t) },
			signin.Passkey: func(t *testing.T) string {
				token := e.start(t)
				e.identify(t, token, "ada@example.com")
				return token
			},
			signin.ChooseMethod: func(t *testing.T) string {
				token := e.start(t)
				e.identify(t, token, "nobody@example.com")
				return token
			},
			// In code, with a code sent, and a live ceremony (of
			// passkey.begin) so that a finisher gets as far as the
			// transition check.
			signin.Code: func(t *testing.T) string {
				token := e.start(t)
				// A new recipient each time, within the send limits.
				e.identify(t, token, "nobody-"+hex.EncodeToString(random(t, 4))+"@example.com")
				_, err := e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionCodeSend, nil, e.req)
				require.NoError(t, err)
				_, err = e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionPasskeyBegin, nil, e.req)
				require.NoError(t, err)
				require.NotNil(t, e.flow(t, token).Ceremony)
				return token
			},
			// In mfa with a live ceremony (of mfa.passkey.begin), so that
			// a finisher gets as far as the transition check.
			signin.MFA: func(t *testing.T) string {
				// A new window of password attempts each time.
				e.Clock.Advance(signin.PasswordWindow)
				token := e.intoMFA(t, bob, bobPassword)
				_, err := e.engine.Run(e.Ctx, e.Tenant, token, signin.ActionMFAPasskeyBegin, nil, e.req)
				require.NoError(t, err)
				require.NotNil(t, e.flow(t, token).Ceremony)
				return token
			},
			// The engine deletes a flow that reaches done; a row left in
			// that state (and holding a ceremony, so a finisher gets as far
			// as the transition check) must still lead nowhere.
			// Waiting upstream (a row as federation.begin leaves it, with
			// a ceremony so that a finisher gets as far as the transition
			// check).
			signin.Upstream: func(t *testing.T) string { return row(t, signin.Upstream) },
			// Claimed by a callback (its exchange failed or under way).
			signin.UpstreamExchanging: func(t *testing.T) string { return row(t, signin.UpstreamExchanging) },
			flows.Done:                func(t *testing.T) string { return row(t, flows.Done) },
		}
		// The enrolment states, as rows the enrolment leaves (enrol_test.go
		// walks into them through the actions), with a ceremony so that a
		// finisher gets as far as the transition check.
		for _, st := range enrolStates {
			into[st] = func(t *testing.T) string { return row(t, st) }
		}
		refused := 0
		for _, state := range m.States() {
			for _, action := range m.ActionNames() {
				if slices.Contains(m.Allowed(state), action) {
					continue
				}
				require.Contains(t, into, state, "no way into %s", state)
				token := into[state](t)
				before := e.flow(t, token)
				require.Equal(t, string(state), before.State)
				_, err := e.engine.Run(e.Ctx, e.Tenant, token, action, json.RawMessage(`{}`), e.req)
				require.ErrorIs(t, err, flows.ErrActionNotAllowed, "%s in %s", action, state)
				require.Equal(t, before, e.flow(t, token), "%s in %s changed the flow", action, state)
				refused++
			}
		}
		// Of 25 actions: identify allows 4, passkey 7, choose_method 6,
		// code 7 (identify, choose_method, passkey.begin/finish,
		// code.send, code.verify, federation.begin), mfa 6 (its own),
		// upstream 4 (federation.begin, .assert, .claim and .finish),
		// upstream_exchanging 2 (federation.begin and .finish), done none,
		// mfa_enroll, mfa_enroll_totp and mfa_enroll_sms 5 each (choose,
		// totp.start, sms.send, passkey.begin, and passkey.finish, totp.confirm
		// or sms.verify) and mfa_enroll_backup_codes 1 (ack).
		require.Equal(t, 21+18+19+18+19+21+23+25+20+20+20+24, refused)

		// Begin runs only what the start state allows, and never a
		// finisher.
		for _, action := range []string{
			signin.ActionChooseMethod, signin.ActionPasskeyFinish, signin.ActionPassword, signin.ActionCodeSend, signin.ActionCodeVerify,
			signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP, signin.ActionMFASMSSend, signin.ActionMFASMSVerify,
			signin.ActionMFABackupCode, signin.ActionFederationFinish, signin.ActionEnrollTOTPConfirm, signin.ActionEnrollSMSVerify,
			signin.ActionEnrollPasskeyFinish, signin.ActionEnrollBackupCodesAck, signin.ActionEnrollTOTPStart, "no.such.action",
		} {
			_, err := e.engine.Begin(e.Ctx, e.Tenant, signin.Context{}, action, nil, e.req)
			flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		}
	})
}

func random(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
