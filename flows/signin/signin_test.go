package signin_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// signInEnv is one database with the sign-in engine on a fake clock and a
// tenant served at http://acme-….localhost:8080.
type signInEnv struct {
	ctx    context.Context
	d      *db.DB
	ts     *tenants.Service
	clock  *clock.Fake
	pk     *passkey.Service
	engine *flows.Engine[signin.Context]
	tn     *tenants.Tenant
	req    flows.RequestInfo
	// outbox receives the codes the started job client sends.
	outbox *delivery.Outbox
	// audits records the engine's authentication-attempt log lines.
	audits *auditLog
}

func newSignInEnv(t *testing.T, d *db.DB) *signInEnv {
	t.Helper()
	ctx := context.Background()
	ts := tenants.NewService(d, "localhost:8080")
	clk := clock.NewFake(time.Now())
	pk := passkey.NewService(ts, clk, nil)
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Clock: clk})
	jc, err := jobs.NewClient(d, jobs.Config{
		Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}, Clock: clk,
		FetchPollInterval: 10 * time.Millisecond, FetchCooldown: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, jc.Start(ctx))
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = jc.Stop(stop)
	})
	audits := &auditLog{}
	engine, err := signin.New(signin.Deps{DB: d, Passkeys: pk, Clock: clk, Jobs: jc, Logger: slog.New(audits)})
	require.NoError(t, err)
	tn, err := ts.Create(ctx, "acme-"+hex.EncodeToString(random(t, 4)), "Acme")
	require.NoError(t, err)
	return &signInEnv{ctx: ctx, d: d, ts: ts, clock: clk, pk: pk, engine: engine, tn: tn, req: flows.RequestInfo{UserAgent: "test", IP: "127.0.0.1"}, outbox: outbox, audits: audits}
}

// setPasskeys saves the tenant's passkey settings as edit leaves them.
func (e *signInEnv) setPasskeys(t *testing.T, edit func(p *tenants.Passkeys)) {
	t.Helper()
	next := e.tn.Settings
	edit(&next.Passkeys)
	tn, err := e.ts.UpdateSettings(e.ctx, e.tn, next, true)
	require.NoError(t, err)
	e.tn = tn
}

func (e *signInEnv) scope() db.Scope { return e.d.ForTenant(e.tn.ID) }

func (e *signInEnv) rp() vw.RelyingParty {
	rp := e.pk.RelyingParty(e.tn)
	return vw.RelyingParty{ID: rp.ID, Name: rp.Name, Origin: rp.Origins[0]}
}

// member is a user of the tenant, with a passkey on a virtual
// authenticator when made so.
type member struct {
	user  *db.User
	email string
	auth  vw.Authenticator
	cred  vw.Credential
	row   *db.Credential
}

// member creates a user with the email name@example.com and, with
// withPasskey, registers a passkey through the real ceremony.
func (e *signInEnv) member(t *testing.T, name string, withPasskey bool) *member {
	t.Helper()
	m := &member{email: name + "@example.com"}
	m.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: m.email}
	// A member proved their address at sign-up: a code to an address
	// never proved signs in to nothing (see code.go).
	proved := e.clock.Now()
	require.NoError(t, e.scope().Users().Create(e.ctx, m.user, &db.Identifier{Kind: db.IdentifierEmail, Value: m.email, VerifiedAt: &proved}))
	if withPasskey {
		m.addPasskey(t, e)
	}
	return m
}

// addPasskey registers a (further) passkey for m, which then answers with
// it.
func (m *member) addPasskey(t *testing.T, e *signInEnv) *db.Credential {
	t.Helper()
	m.auth = vw.NewAuthenticatorWithOptions(vw.AuthenticatorOptions{UserHandle: m.user.WebAuthnHandle, BackupEligible: true, BackupState: true})
	m.cred = softkey.NewEC2()
	m.auth.AddCredential(m.cred)
	reg := passkey.Registrant{Handle: m.user.WebAuthnHandle, Name: m.email}
	opts, c, err := e.pk.BeginRegistration(e.tn, reg)
	require.NoError(t, err)
	o, err := vw.ParseAttestationOptions(string(opts.PublicKey))
	require.NoError(t, err)
	cred, err := e.pk.FinishRegistration(e.ctx, e.tn, c, reg, []byte(vw.CreateAttestationResponse(e.rp(), m.auth, m.cred, *o)), "", "")
	require.NoError(t, err)
	cred.UserID = m.user.ID
	require.NoError(t, e.scope().Credentials().Create(e.ctx, cred))
	m.row = cred
	return cred
}

// answer returns the passkey.finish input answering the request options
// publicKey with m's passkey.
func (m *member) answer(t *testing.T, e *signInEnv, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	o, err := vw.ParseAssertionOptions(string(publicKey))
	require.NoError(t, err)
	return finishInput(t, vw.CreateAssertionResponse(e.rp(), m.auth, m.cred, *o))
}

func finishInput(t *testing.T, assertion string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]json.RawMessage{"credential": json.RawMessage(assertion)})
	require.NoError(t, err)
	return b
}

// forged returns m's answer with a signature by another key: the real
// credential id, a valid everything else.
func (m *member) forged(t *testing.T, e *signInEnv, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	o, err := vw.ParseAssertionOptions(string(publicKey))
	require.NoError(t, err)
	other := m.cred
	other.Key = softkey.NewEC2().Key
	return finishInput(t, vw.CreateAssertionResponse(e.rp(), m.auth, other, *o))
}

// begin starts a discoverable passkey sign-in and returns its flow token and
// request options.
func (e *signInEnv) begin(t *testing.T) (string, json.RawMessage) {
	t.Helper()
	res, err := e.engine.Begin(e.ctx, e.tn, signin.Context{}, signin.ActionPasskeyBegin, nil, e.req)
	require.NoError(t, err)
	require.NotEmpty(t, res.Token)
	begun, ok := res.Output.(passkey.Begun)
	require.True(t, ok, "output %T", res.Output)
	return res.Token, begun.Passkey.PublicKey
}

// start creates a flow in the identify state.
func (e *signInEnv) start(t *testing.T) string {
	t.Helper()
	res, err := e.engine.Start(e.ctx, e.tn, signin.Context{})
	require.NoError(t, err)
	return res.Token
}

func (e *signInEnv) finish(token string, input json.RawMessage) (*flows.Result, error) {
	return e.engine.Run(e.ctx, e.tn, token, signin.ActionPasskeyFinish, input, e.req)
}

func (e *signInEnv) identify(t *testing.T, token, identifier string) *flows.Result {
	t.Helper()
	res, err := e.engine.Run(e.ctx, e.tn, token, signin.ActionIdentify, mustJSON(t, map[string]string{"identifier": identifier}), e.req)
	require.NoError(t, err)
	return res
}

// sessions counts the user's live sessions.
func (e *signInEnv) sessions(t *testing.T, userID uuid.UUID) int {
	t.Helper()
	s, err := e.scope().Sessions().ByUser(e.ctx, userID, e.clock.Now())
	require.NoError(t, err)
	return len(s)
}

// flow reads the flow of token back.
func (e *signInEnv) flow(t *testing.T, token string) *db.Flow {
	t.Helper()
	f, err := e.scope().Flows().ByToken(e.ctx, flows.HashToken(token))
	require.NoError(t, err)
	return f
}

func (e *signInEnv) credential(t *testing.T, c *db.Credential) *db.Credential {
	t.Helper()
	got, err := e.scope().Credentials().Get(e.ctx, c.UserID, c.ID)
	require.NoError(t, err)
	return got
}

// requirePublic checks that err is, publicly, want.
func requirePublic(t *testing.T, want *flows.Error, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want.Code, flows.Public(err).Code, "got %v", err)
}

func TestSignIn_DiscoverablePasskeyIssuesAWebAuthnSessionWithinItsStatementBudget(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)

		ctx, count := db.CountStatements(e.ctx)
		res, err := e.engine.Begin(ctx, e.tn, signin.Context{}, signin.ActionPasskeyBegin, nil, e.req)
		require.NoError(t, err)
		require.Equal(t, 1, count.N(), "a begin stores the flow and its ceremony in one statement")
		require.Equal(t, signin.Identify, res.State)
		begun := res.Output.(passkey.Begun)
		var opts struct {
			RPID             string            `json:"rpId"`
			AllowCredentials []json.RawMessage `json:"allowCredentials"`
			UserVerification string            `json:"userVerification"`
		}
		require.NoError(t, json.Unmarshal(begun.Passkey.PublicKey, &opts))
		require.Equal(t, e.pk.RelyingParty(e.tn).ID, opts.RPID)
		require.Empty(t, opts.AllowCredentials)
		require.Equal(t, "required", opts.UserVerification)

		e.clock.Advance(time.Minute)
		ctx, count = db.CountStatements(e.ctx)
		res, err = e.engine.Run(ctx, e.tn, res.Token, signin.ActionPasskeyFinish, ada.answer(t, e, begun.Passkey.PublicKey), e.req)
		require.NoError(t, err)
		require.LessOrEqual(t, count.N(), 4, "take the flow, load the credential and user, record the sign-in, create the session")
		require.Equal(t, flows.Done, res.State)
		require.Empty(t, res.Actions)
		require.NotNil(t, res.Session)
		require.NotEmpty(t, res.Session.Token)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
		require.Equal(t, flows.AMRWebAuthn, res.Session.Session.AMR)
		require.JSONEq(t, `{"user_id":"`+ada.user.ID.String()+`"}`, string(mustJSON(t, res.Output)))

		s, err := flows.LookupSession(e.ctx, e.scope(), res.Session.Token, e.clock.Now())
		require.NoError(t, err)
		require.Equal(t, ada.user.ID, s.UserID)
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
		row := e.credential(t, ada.row)
		require.NotNil(t, row.LastUsedAt)
		require.WithinDuration(t, e.clock.Now(), *row.LastUsedAt, time.Millisecond)
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
		requirePublic(t, flows.ErrPasskeyFailed, err)
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
		requirePublic(t, flows.ErrPasskeyFailed, err)
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
		at := e.clock.Now()
		require.NoError(t, e.scope().Users().SetDisabled(e.ctx, bob.user.ID, &at))

		// 23: a forged signature, an unknown credential, a disabled user
		// and garbage give the client the same error.
		cases := map[string]func(publicKey json.RawMessage) json.RawMessage{
			"forged signature": func(pk json.RawMessage) json.RawMessage { return ada.forged(t, e, pk) },
			"unknown credential": func(pk json.RawMessage) json.RawMessage {
				stranger := *ada
				stranger.cred = softkey.NewEC2()
				return stranger.answer(t, e, pk)
			},
			"disabled user": func(pk json.RawMessage) json.RawMessage { return bob.answer(t, e, pk) },
			"garbage":       func(json.RawMessage) json.RawMessage { return json.RawMessage(`{"credential":{"id":"AA"}}`) },
		}
		for name, input := range cases {
			token, publicKey := e.begin(t)
			_, err := e.finish(token, input(publicKey))
			require.Same(t, flows.ErrPasskeyFailed, flows.Public(err), name)
		}
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

		e.clock.Advance(passkey.CeremonyTTL - time.Second)
		_, err := e.finish(early, ada.answer(t, e, earlyKey))
		require.NoError(t, err)

		e.clock.Advance(time.Second)
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
		require.NoError(t, e.scope().Credentials().Create(e.ctx, row))
		disabled := e.member(t, "disabled", true)
		at := e.clock.Now()
		require.NoError(t, e.scope().Users().SetDisabled(e.ctx, disabled.user.ID, &at))

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
		require.NoError(t, e.scope().Credentials().Create(e.ctx, staleRow))
		bob := e.member(t, "bob", true)

		token := e.start(t)
		res := e.identify(t, token, "Ada@Example.com")
		require.Equal(t, signin.Passkey, res.State)
		require.Equal(t, []string{signin.ActionIdentify, signin.ActionChooseMethod, signin.ActionPasskeyBegin, signin.ActionPasskeyFinish, signin.ActionPassword, signin.ActionCodeSend}, res.Actions)
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
		require.Equal(t, e.pk.RelyingParty(e.tn).ID, out.Passkey.PublicKey.RPID)
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
		requirePublic(t, flows.ErrPasskeyFailed, err)
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

		_, err := e.engine.Begin(e.ctx, e.tn, signin.Context{}, signin.ActionPasskeyBegin, nil, e.req)
		require.ErrorIs(t, err, flows.ErrPasskeySignInDisabled)
		_, err = e.engine.Run(e.ctx, e.tn, e.start(t), signin.ActionPasskeyBegin, nil, e.req)
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
		_, err = e.engine.Begin(e.ctx, e.tn, signin.Context{}, signin.ActionPasskeyBegin, json.RawMessage(`{"mediation":"conditional"}`), e.req)
		requirePublic(t, flows.ErrPasskeySignInDisabled, err)
		e.begin(t)
	})
}

func TestSignIn_AnSSOUserIsRefusedAtFinish(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		require.NoError(t, e.scope().Users().SetSSO(e.ctx, ada.user.ID, true))

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
	require.ElementsMatch(t, []flows.State{signin.Identify, signin.Passkey, signin.ChooseMethod, signin.Code, signin.MFA, flows.Done}, m.States())
	require.ElementsMatch(t, []string{
		signin.ActionIdentify, signin.ActionChooseMethod, signin.ActionPasskeyBegin, signin.ActionPasskeyFinish, signin.ActionPassword,
		signin.ActionCodeSend, signin.ActionCodeVerify, signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP,
		signin.ActionMFASMSSend, signin.ActionMFASMSVerify, signin.ActionMFABackupCode,
	}, m.ActionNames())

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
				_, err := e.engine.Run(e.ctx, e.tn, token, signin.ActionCodeSend, nil, e.req)
				require.NoError(t, err)
				_, err = e.engine.Run(e.ctx, e.tn, token, signin.ActionPasskeyBegin, nil, e.req)
				require.NoError(t, err)
				require.NotNil(t, e.flow(t, token).Ceremony)
				return token
			},
			// In mfa with a live ceremony (of mfa.passkey.begin), so that
			// a finisher gets as far as the transition check.
			signin.MFA: func(t *testing.T) string {
				token := e.intoMFA(t, bob, bobPassword)
				_, err := e.engine.Run(e.ctx, e.tn, token, signin.ActionMFAPasskeyBegin, nil, e.req)
				require.NoError(t, err)
				require.NotNil(t, e.flow(t, token).Ceremony)
				return token
			},
			// The engine deletes a flow that reaches done; a row left in
			// that state (and holding a ceremony, so a finisher gets as far
			// as the transition check) must still lead nowhere.
			flows.Done: func(t *testing.T) string {
				_, c, err := e.pk.BeginSignIn(e.tn, nil, nil, "")
				require.NoError(t, err)
				enc, err := c.Encode()
				require.NoError(t, err)
				token, hash := flows.NewToken()
				now := e.clock.Now()
				expires := now.Add(passkey.CeremonyTTL)
				require.NoError(t, e.scope().Flows().Create(e.ctx, &db.Flow{
					Kind: signin.Kind, State: string(flows.Done), Context: "{}", TokenHash: hash,
					CreatedAt: now, ExpiresAt: now.Add(30 * time.Minute), Ceremony: &enc, CeremonyExpiresAt: &expires,
				}))
				return token
			},
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
				_, err := e.engine.Run(e.ctx, e.tn, token, action, json.RawMessage(`{}`), e.req)
				require.ErrorIs(t, err, flows.ErrActionNotAllowed, "%s in %s", action, state)
				require.Equal(t, before, e.flow(t, token), "%s in %s changed the flow", action, state)
				refused++
			}
		}
		// Of 13 actions: identify allows 3, passkey 6, choose_method 5,
		// code 6 (identify, choose_method, passkey.begin/finish,
		// code.send, code.verify), mfa 6 (its own) and done none.
		require.Equal(t, 10+7+8+7+7+13, refused)

		// Begin runs only what the start state allows, and never a
		// finisher.
		for _, action := range []string{
			signin.ActionChooseMethod, signin.ActionPasskeyFinish, signin.ActionPassword, signin.ActionCodeSend, signin.ActionCodeVerify,
			signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish, signin.ActionMFATOTP, signin.ActionMFASMSSend, signin.ActionMFASMSVerify,
			signin.ActionMFABackupCode, "no.such.action",
		} {
			_, err := e.engine.Begin(e.ctx, e.tn, signin.Context{}, action, nil, e.req)
			requirePublic(t, flows.ErrActionNotAllowed, err)
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
