package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// These tests hold the flow engine to SECURITY.md's rule that no order of
// requests yields a session without the factors the tenant's MFA policy
// demands: a walk over every state × action of the sign-up and sign-in
// machines under each policy, through the flow API, checking after every
// request the sessions that exist and what the account API (GraphQL me)
// accepts.

const walkPassword = "violet anchor ledger 1942"

// walkPolicy is one MFA configuration the walk runs under.
type walkPolicy struct {
	name string
	mfa  tenants.MFA
}

func (p walkPolicy) mandatory() bool { return p.mfa.Policy == tenants.MFAMandatory }

var walkPolicies = []walkPolicy{
	// No factor enabled: 2-step verification is off for everyone.
	{"off", tenants.MFA{Factors: []string{}, Policy: tenants.MFAUserControlled, PromptAtSignUp: true}},
	{"user_controlled", tenants.MFA{Factors: walkFactors, Policy: tenants.MFAUserControlled, PromptAtSignUp: true}},
	{"mandatory", tenants.MFA{Factors: walkFactors, Policy: tenants.MFAMandatory, PromptAtSignUp: true}},
	// A passkey is the only factor: the passkey prompt is the binding.
	{"mandatory_passkey", tenants.MFA{Factors: []string{tenants.FactorWebAuthn}, Policy: tenants.MFAMandatory, PromptAtSignUp: true}},
}

var walkFactors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}

// walkMachine is what the walk reads of a flow machine.
type walkMachine interface {
	States() []flows.State
	Allowed(flows.State) []string
	ActionNames() []string
}

// walkServer is a test server with a fake clock and an outbox for every
// code of the walk.
type walkServer struct {
	srv    *testserver.Server
	clk    *clock.Fake
	outbox *delivery.Outbox
	// last is the code last delivered to each recipient.
	last map[string]string
	// n numbers the walk's newcomers, across tenants.
	n int
}

// walkSite is one tenant of the walk.
type walkSite struct {
	*walkServer
	slug   string
	tn     *tenants.Tenant
	policy walkPolicy
}

// walkUser is someone the walk signs in (or signs up as).
type walkUser struct {
	email, phone string
	dev          *apiDevice
	totpSecret   string
	backupCodes  []string
}

// walkAttempt is one flow driven by one client, as a browser would.
type walkAttempt struct {
	c      *apiClient
	kind   string // sign-up or sign-in
	token  string
	state  flows.State
	result map[string]any
	user   *walkUser
	path   []string
}

func newWalkServer(t *testing.T, b testdb.Backend) *walkServer {
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	// Room for every code of the walk: the default outbox keeps 100.
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Clock: clk, Size: 100000})
	srv := testserver.Start(t, b, testserver.Options{Clock: clk, Providers: app.SendersConfig{Outbox: outbox}})
	return &walkServer{srv: srv, clk: clk, outbox: outbox, last: map[string]string{}}
}

// newWalkSite makes a tenant whose sign-up proves the email address by a
// code and asks for a password, then offers a passkey; its MFA is p.
func newWalkSite(t *testing.T, w *walkServer, slug string, p walkPolicy) *walkSite {
	t.Helper()
	w.srv.CreateTenant(t, slug, "Walk")
	tn := w.srv.SetSettings(t, slug, func(s *tenants.Settings) {
		s.SignUp = tenants.SignUp{
			Identifiers: []string{tenants.IdentifierEmail}, Required: []string{tenants.IdentifierEmail},
			VerifyIdentifiers: true, Password: true, PasskeyPrompt: true,
		}
		s.MFA = p.mfa
	})
	return &walkSite{walkServer: w, slug: slug, tn: tn, policy: p}
}

func (s *walkSite) scope() db.Scope { return s.srv.DB.ForTenant(s.tn.ID) }

func (s *walkSite) setMFA(t *testing.T, m tenants.MFA) {
	t.Helper()
	s.tn = s.srv.SetSettings(t, s.slug, func(st *tenants.Settings) { st.MFA = m })
}

// newcomer is a new person with a fresh email address, phone and device.
func (s *walkSite) newcomer() *walkUser {
	s.n++
	return &walkUser{
		email: fmt.Sprintf("walker%d@%s.example.com", s.n, s.slug),
		phone: fmt.Sprintf("+1555555%04d", s.n),
		dev:   newAPIDevice(s.srv, s.slug),
	}
}

// newestCode is the code last delivered to to (a wrong one when none
// was).
func (s *walkSite) newestCode(_ *testing.T, to string) string {
	if c, ok := s.last[to]; ok {
		return c
	}
	return "000000"
}

// delivered waits for the code that a step sent to to, the outbox then
// holding more than before messages, and records it. Each step's code is
// awaited before the next step, so that no code is superseded (and so
// never sent) while the walk waits for it.
func (s *walkSite) delivered(t *testing.T, to string, before int) {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		msgs := s.outbox.Messages() // newest first
		for _, m := range msgs[:len(msgs)-before] {
			// A security notice (a new device's sign-in) may reach the
			// same address meanwhile: only a message with a code is one.
			if m.To == to && outboxCode.MatchString(m.Body) {
				body = m.Body
				return true
			}
		}
		return false
	}, 15*time.Second, 10*time.Millisecond, "no code delivered to %s", to)
	code := outboxCode.FindString(body)
	require.NotEmpty(t, code, body)
	s.last[to] = code
}

// outboxCode finds the code in a message.
var outboxCode = regexp.MustCompile(`\b([0-9]{6})\b`)

// totpCode is the authenticator app's code now.
func (s *walkSite) totpCode(t *testing.T, secret string) string {
	t.Helper()
	return flowtest.TOTPCodeAt(t, secret, s.clk.Now())
}

// begin opens a flow of kind for u. The clock moves on a day first, so
// that the per-IP and per-recipient code limits of earlier attempts (every
// request comes from 127.0.0.1) and the used TOTP steps are behind.
func (s *walkSite) begin(t *testing.T, kind string, u *walkUser) *walkAttempt {
	t.Helper()
	s.clk.Advance(25 * time.Hour)
	a := &walkAttempt{c: newAPIClient(t, s.srv, s.slug), kind: kind, user: u}
	r := a.c.post("/api/flows/"+kind, map[string]any{}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	a.token = apiFlowToken(t, r)
	a.state = flows.State(r.json(t)["flow"].(map[string]any)["state"].(string))
	return a
}

// input is a right input for action at this point of the attempt.
func (s *walkSite) input(t *testing.T, a *walkAttempt, action string) map[string]any {
	t.Helper()
	u := a.user
	publicKey := func() any {
		p, _ := a.result["passkey"].(map[string]any)
		return p["publicKey"]
	}
	credential := func(create bool) map[string]any {
		pk := publicKey()
		if pk == nil {
			return map[string]any{}
		}
		raw := mustMarshal(t, pk)
		if create {
			return map[string]any{"credential": u.dev.create(t, raw)}
		}
		return map[string]any{"credential": u.dev.get(t, raw)}
	}
	switch action {
	case signup.ActionIdentify: // also signin.ActionIdentify
		return map[string]any{"identifier": u.email}
	case signup.ActionSignUp:
		return map[string]any{"email": u.email}
	case signup.ActionPassword: // also signin.ActionPassword
		return map[string]any{"password": walkPassword}
	case signup.ActionCodeVerify: // also signin.ActionCodeVerify
		return map[string]any{"code": s.newestCode(t, u.email)}
	case signup.ActionTOTPConfirm, signin.ActionMFATOTP:
		if u.totpSecret == "" {
			return map[string]any{"code": "000000"}
		}
		return map[string]any{"code": s.totpCode(t, u.totpSecret)}
	case signup.ActionSMSSend, signin.ActionEnrollSMSSend:
		// At sign-in's enrolment the walk sends a code but never confirms
		// a factor: the user stays one with nothing but a password.
		return map[string]any{"phone": u.phone}
	case signup.ActionSMSVerify, signin.ActionMFASMSVerify:
		return map[string]any{"code": s.newestCode(t, u.phone)}
	case signin.ActionMFABackupCode:
		if len(u.backupCodes) == 0 {
			return map[string]any{"code": "0000-0000"}
		}
		c := u.backupCodes[0]
		u.backupCodes = u.backupCodes[1:]
		return map[string]any{"code": c}
	}
	if a.kind == "sign-up" && (action == signup.ActionPasskeyFinish || action == signup.ActionPromptFinish) {
		return credential(true)
	}
	if a.kind == "sign-in" && (action == signin.ActionPasskeyFinish || action == signin.ActionMFAPasskeyFinish) {
		return credential(false)
	}
	return map[string]any{}
}

// step runs action with input and checks the sessions after it.
func (s *walkSite) step(t *testing.T, a *walkAttempt, action string, input map[string]any) (apiResponse, bool) {
	t.Helper()
	r, ok := s.run(t, a, action, input)
	s.check(t, a, action, r)
	return r, ok
}

// run runs action with input, keeping what its result carries.
func (s *walkSite) run(t *testing.T, a *walkAttempt, action string, input map[string]any) (apiResponse, bool) {
	t.Helper()
	before := len(s.outbox.Messages())
	r := a.c.post("/api/flows/"+a.kind+"/"+action, input, map[string]string{"X-Sesame-Flow": a.token})
	ok := r.status == http.StatusOK
	if ok {
		body := r.json(t)
		a.state = flows.State(body["flow"].(map[string]any)["state"].(string))
		a.result, _ = body["result"].(map[string]any)
		if sec := secretOf(a.result); sec != "" {
			a.user.totpSecret = sec
		}
		if codes, ok := a.result["backup_codes"].([]any); ok {
			a.user.backupCodes = nil
			for _, c := range codes {
				a.user.backupCodes = append(a.user.backupCodes, c.(string))
			}
		}
		switch {
		case action == signin.ActionMFASMSSend && a.kind == "sign-in":
			s.delivered(t, a.user.phone, before)
		case a.result["sent_to"] != nil:
			s.delivered(t, a.result["sent_to"].(string), before)
		}
	} else {
		require.Less(t, r.status, 500, "%s %s: %s", a.kind, action, r.body)
	}
	return r, ok
}

func secretOf(result map[string]any) string {
	if sec, ok := result["secret"].(string); ok {
		return sec
	}
	if t, ok := result["totp"].(map[string]any); ok {
		sec, _ := t["secret"].(string)
		return sec
	}
	return ""
}

// replay opens a flow for u and runs path with right inputs. Each step of
// path was checked when the walk first took it; what it left is checked
// again after the next new step (every session of the user).
func (s *walkSite) replay(t *testing.T, kind string, u *walkUser, path []string) *walkAttempt {
	t.Helper()
	a := s.begin(t, kind, u)
	for _, action := range path {
		r, ok := s.run(t, a, action, s.input(t, a, action))
		require.True(t, ok, "replaying %v: %s answered %s", path, action, r.body)
		a.path = append(a.path, action)
	}
	return a
}

// satisfies reports whether a session's amr shows what a policy that
// demands a second factor accepts: a passkey (which is one, as at sign-in)
// or more than one method, the last being a bound factor.
func satisfies(amr string) bool {
	m := strings.Split(amr, ",")
	return slices.Contains(m, flows.AMRWebAuthn) || slices.Contains(m, flows.AMRMFA)
}

// check is the walk's invariant, after every request of attempt a:
//   - a session the response issued has the factors demanded of the user
//     (mandatory policy, or 2-step verification on);
//   - with the mandatory policy, every session of the user has them, and
//     a user without a bound factor (none confirmed, no passkey) has no
//     session at all;
//   - the account API takes the client's session cookie only when that
//     holds; and never the flow token.
func (s *walkSite) check(t *testing.T, a *walkAttempt, action string, r apiResponse) {
	t.Helper()
	ctx := t.Context()
	where := fmt.Sprintf("%s under %s, after %v then %s (%d)", a.kind, s.policy.name, a.path, action, r.status)
	mandatory := s.tn.Settings.MFA.Policy == tenants.MFAMandatory
	u, err := s.scope().Users().ByIdentifier(ctx, db.IdentifierEmail, a.user.email)
	if errors.Is(err, db.ErrNotFound) {
		require.NotContains(t, string(r.body), `"session"`, where)
		return
	}
	require.NoError(t, err)
	all, err := s.scope().Sessions().ByUser(ctx, u.ID, s.clk.Now())
	require.NoError(t, err)
	byToken := func(token string) *db.Session {
		if token == "" {
			return nil
		}
		hash := flows.HashToken(token)
		for _, x := range all {
			if string(x.TokenHash) == string(hash) {
				return x
			}
		}
		return nil
	}

	if issued := sessionOf(r); issued != "" {
		got := byToken(issued)
		require.NotNil(t, got, "%s: the session issued is the user's", where)
		if mandatory || u.MFAEnabled {
			require.True(t, satisfies(got.AMR), "%s: a session with amr %q", where, got.AMR)
		}
	}
	if mandatory && len(all) > 0 {
		for _, x := range all {
			require.True(t, satisfies(x.AMR), "%s: a session with amr %q", where, x.AMR)
		}
		if !u.MFAEnabled {
			creds, err := s.scope().Credentials().ByUser(ctx, u.ID, "")
			require.NoError(t, err)
			require.NotEmpty(t, creds, "%s: a session before any factor is bound", where)
		}
	}

	cookie := walkCookie(a.c)
	if cookie == "" {
		return
	}
	got := byToken(cookie)
	want := got != nil && (!mandatory || satisfies(got.AMR))
	require.Equal(t, want, meWorks(t, a.c, nil), "%s: the account API with the session cookie", where)
}

// sessionOf returns the session token a flow API response set as its
// cookie, or "".
func sessionOf(r apiResponse) string {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "sesame_session" && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

// walkCookie is the session cookie the client holds for its tenant.
func walkCookie(c *apiClient) string {
	u, _ := url.Parse(c.origin)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "sesame_session" {
			return ck.Value
		}
	}
	return ""
}

// meWorks asks the account API who is signed in: with the client's cookie
// (and the CSRF header), plus headers.
func meWorks(t *testing.T, c *apiClient, headers map[string]string) bool {
	t.Helper()
	h := map[string]string{"X-Sesame-Request": "1"}
	for k, v := range headers {
		h[k] = v
	}
	r := c.post("/graphql", map[string]any{"query": "{ me { id displayName } }"}, h)
	if r.status != http.StatusOK {
		require.Less(t, r.status, 500, string(r.body))
		return false
	}
	data, _ := r.json(t)["data"].(map[string]any)
	return data != nil && data["me"] != nil
}

// walk explores m from identify for the people who gives. A node is a
// state, or a state just after one of its own actions (a passkey or a code
// asked for, to answer next), and in mfa_choose the factors bound so far
// (with one bound it leads on elsewhere than with none). For each node reached, by the shortest path
// found: on entering a state, every action the state does not declare is
// tried on one flow (each refused, the flow staying); every declared
// action on a fresh flow, first with an empty input (except a passkey
// answer, whose ceremony is used once), then, unless that was taken, with
// a right one. It returns
// the states reached, the actions taken (that succeeded somewhere) and how
// many attempts ended with a session the account API takes.
func (s *walkSite) walk(t *testing.T, kind string, m walkMachine, who func() *walkUser) (reached []flows.State, taken []string, signedIn int) {
	t.Helper()
	type node struct {
		state flows.State
		after string // the action that looped on state, or ""
		bound string // the factors bound so far, as mfa_choose shows them
	}
	start := node{state: signup.Identify}
	paths := map[node][]string{start: {}}
	queue := []node{start}
	started, replays := time.Now(), 0
	defer func() {
		t.Logf("%s walk under %s: %d nodes, %d replays, %s", kind, s.policy.name, len(paths), replays, time.Since(started))
	}()
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		allowed := m.Allowed(at.state)
		if !slices.Contains(reached, at.state) {
			reached = append(reached, at.state)
			a := s.replay(t, kind, who(), paths[at])
			for _, action := range m.ActionNames() {
				if slices.Contains(allowed, action) {
					continue
				}
				r, ok := s.step(t, a, action, map[string]any{})
				require.False(t, ok, "%s %s in %s", kind, action, at.state)
				// A finisher takes the flow with its ceremony first: without
				// one in this state it finds none.
				require.Contains(t, []string{"action_not_allowed", "passkey_request_expired"}, r.errorCode(t), "%s %s in %s", kind, action, at.state)
				require.Equal(t, at.state, a.state)
			}
		}

		for _, action := range allowed {
			a := s.replay(t, kind, who(), paths[at])
			replays++
			ok := false
			if !(strings.Contains(action, "passkey") && strings.HasSuffix(action, ".finish")) {
				// Some actions take no input: then it is the right one.
				_, ok = s.step(t, a, action, map[string]any{})
			}
			if !ok {
				_, ok = s.step(t, a, action, s.input(t, a, action))
			}
			// The flow token is no credential for the account API.
			require.False(t, meWorks(t, newAPIClient(t, s.srv, s.slug), map[string]string{"Authorization": "Bearer " + a.token}))
			if !ok {
				continue
			}
			if !slices.Contains(taken, action) {
				taken = append(taken, action)
			}
			next := node{state: a.state}
			if next.state == signup.MFAChoose {
				next.bound = boundOf(a.result)
			}
			if next.state == at.state {
				next.after = action
			}
			if next.state == flows.Done {
				if walkCookie(a.c) != "" && meWorks(t, a.c, nil) {
					signedIn++
				}
			} else if _, seen := paths[next]; !seen {
				paths[next] = append(slices.Clone(paths[at]), action)
				queue = append(queue, next)
			}
		}
	}
	return reached, taken, signedIn
}

// boundOf is the list of bound factors a sign-up result shows, joined.
func boundOf(result map[string]any) string {
	b, ok := result["bound"].([]any)
	if m, isMap := result["mfa"].(map[string]any); !ok && isMap {
		b, _ = m["bound"].([]any)
	}
	return fmt.Sprint(b)
}

// returningUser signs up through the flow API, under the user-controlled
// policy with every factor, and binds what full asks: a passkey, an
// authenticator app, an SMS phone and backup codes; or nothing but the
// password.
func (s *walkSite) returningUser(t *testing.T, full bool) *walkUser {
	t.Helper()
	policy := s.tn.Settings.MFA
	s.setMFA(t, tenants.MFA{Factors: walkFactors, Policy: tenants.MFAUserControlled, PromptAtSignUp: true})
	defer s.setMFA(t, policy)
	u := s.newcomer()
	path := []string{signup.ActionSignUp, signup.ActionCodeVerify, signup.ActionPassword}
	if full {
		path = append(path, signup.ActionPromptBegin, signup.ActionPromptFinish, signup.ActionTwoStepEnable,
			signup.ActionTOTPStart, signup.ActionTOTPConfirm, signup.ActionSMSSend, signup.ActionSMSVerify, signup.ActionBackupCodeAck)
	} else {
		path = append(path, signup.ActionPromptSkip)
	}
	a := s.replay(t, "sign-up", u, path)
	require.Equal(t, flows.Done, a.state)
	got, err := s.scope().Users().ByIdentifier(t.Context(), db.IdentifierEmail, u.email)
	require.NoError(t, err)
	require.Equal(t, full, got.MFAEnabled)
	// Its sign-up sessions were issued under the user-controlled policy,
	// before the walk's; the walk judges only its own.
	sessions, err := s.scope().Sessions().ByUser(t.Context(), got.ID, s.clk.Now())
	require.NoError(t, err)
	for _, x := range sessions {
		require.NoError(t, s.scope().Sessions().Delete(t.Context(), got.ID, x.ID))
	}
	if full {
		require.Len(t, u.backupCodes, 10)
	}
	return u
}

// TestMFAPolicy_NoStateActionSequenceGivesASessionWithoutTheDemandedFactors
// walks every state × action pair of sign-up (newcomers) and sign-in (a
// user with every factor, and one with only a password) under each policy
// (off, user-controlled, mandatory, mandatory with passkeys alone), on
// both databases, checking after every request that no session exists or
// works without the factors the policy demands.
func TestMFAPolicy_NoStateActionSequenceGivesASessionWithoutTheDemandedFactors(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			for _, p := range walkPolicies {
				t.Run(p.name, func(t *testing.T) {
					t.Parallel()
					s := newWalkSite(t, newWalkServer(t, b), "walk", p)
					full := s.returningUser(t, true)
					bare := s.returningUser(t, false)

					reached, taken, signedIn := s.walk(t, "sign-up", signup.Machine(nil), s.newcomer)
					want := map[string][]flows.State{
						"off":               {signup.Identify, signup.Passkey, signup.Verify, signup.Password, signup.PasskeyPrompt},
						"user_controlled":   {signup.Identify, signup.Passkey, signup.Verify, signup.Password, signup.PasskeyPrompt, signup.TwoStep, signup.MFAChoose, signup.TOTPSetup, signup.SMSVerify, signup.BackupCodes},
						"mandatory":         {signup.Identify, signup.Passkey, signup.Verify, signup.Password, signup.PasskeyPrompt, signup.MFAChoose, signup.TOTPSetup, signup.SMSVerify, signup.BackupCodes},
						"mandatory_passkey": {signup.Identify, signup.Passkey, signup.Verify, signup.Password, signup.PasskeyPrompt},
					}[p.name]
					require.ElementsMatch(t, want, reached, "sign-up states reached under %s", p.name)
					require.Positive(t, signedIn, "some sign-up under %s ends signed in", p.name)

					if p.name != "off" {
						require.Subset(t, taken, []string{signup.ActionPromptFinish, signup.ActionPasskeyFinish})
					}
					if p.name == "user_controlled" || p.name == "mandatory" {
						require.Subset(t, taken, []string{signup.ActionTOTPConfirm, signup.ActionSMSVerify, signup.ActionMFAFinish, signup.ActionBackupCodeAck})
					}

					reached, taken, signedIn = s.walk(t, "sign-in", signin.Machine(nil), func() *walkUser { return full })
					require.Subset(t, reached, []flows.State{signin.Identify, signin.Passkey, signin.ChooseMethod, signin.Code})
					if p.name != "off" {
						require.Contains(t, reached, signin.MFA)
						require.Subset(t, taken, []string{signin.ActionPasskeyFinish, signin.ActionMFAPasskeyFinish})
					}
					if p.name == "user_controlled" || p.name == "mandatory" {
						require.Subset(t, taken, []string{signin.ActionMFATOTP, signin.ActionMFASMSVerify, signin.ActionMFABackupCode})
					}
					require.Positive(t, signedIn, "some sign-in under %s ends signed in", p.name)
					reached, _, _ = s.walk(t, "sign-in", signin.Machine(nil), func() *walkUser { return bare })
					if p.name == "mandatory" {
						// A password alone leads to setting up a factor.
						require.Subset(t, reached, []flows.State{signin.MFAEnroll, signin.MFAEnrollTOTP, signin.MFAEnrollSMS})
					}
				})
			}
		})
	}
}

// TestMFAPolicy_AMandatoryPasswordSignUpAbandonedBeforeAFactorHasNoSession
// is the reported sequence: under the mandatory policy, a password sign-up
// left right after the password step. The account exists, but nothing the
// client holds works on the account API: no cookie was set, no session
// exists, and the flow token is not one. Binding the factor then signs in.
func TestMFAPolicy_AMandatoryPasswordSignUpAbandonedBeforeAFactorHasNoSession(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			w := newWalkServer(t, b)
			s := newWalkSite(t, w, "acme", walkPolicy{name: "mandatory", mfa: tenants.MFA{
				Factors: []string{tenants.FactorTOTP, tenants.FactorBackupCodes}, Policy: tenants.MFAMandatory,
			}})
			u := s.newcomer()
			a := s.replay(t, "sign-up", u, []string{signup.ActionSignUp, signup.ActionCodeVerify})
			require.Equal(t, signup.Password, a.state)
			r := a.c.post("/api/flows/sign-up/password", map[string]any{"password": walkPassword}, map[string]string{"X-Sesame-Flow": a.token, "X-Sesame-Return-Token": "1"})
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Equal(t, "passkey_prompt", r.json(t)["flow"].(map[string]any)["state"])
			require.NotContains(t, r.json(t), "session")
			require.Empty(t, sessionOf(r))

			user, err := s.scope().Users().ByIdentifier(t.Context(), db.IdentifierEmail, u.email)
			require.NoError(t, err)
			require.False(t, user.MFAEnabled)
			sessions, err := s.scope().Sessions().ByUser(t.Context(), user.ID, s.clk.Now())
			require.NoError(t, err)
			require.Empty(t, sessions)
			require.Empty(t, walkCookie(a.c))
			require.False(t, meWorks(t, a.c, nil), "the account API with what the client holds")
			require.False(t, meWorks(t, newAPIClient(t, s.srv, "acme"), map[string]string{"Authorization": "Bearer " + a.token}), "the flow token")
			r = a.c.do(http.MethodGet, "/account", nil, nil)
			require.NotEqual(t, http.StatusOK, r.status, "the account page")

			// The flow token still reaches the binding, which signs in.
			a.path = []string{signup.ActionSignUp, signup.ActionCodeVerify, signup.ActionPassword}
			_, ok := s.step(t, a, signup.ActionPromptSkip, map[string]any{})
			require.True(t, ok)
			require.Equal(t, signup.TOTPSetup, a.state)
			require.Empty(t, walkCookie(a.c))
			r, ok = s.step(t, a, signup.ActionTOTPConfirm, s.input(t, a, signup.ActionTOTPConfirm))
			require.True(t, ok, string(r.body))
			require.Equal(t, signup.BackupCodes, a.state)
			got, err := s.scope().Sessions().ByToken(t.Context(), flows.HashToken(walkCookie(a.c)), s.clk.Now())
			require.NoError(t, err)
			require.Equal(t, "otp,pwd,mfa", got.AMR)
			require.True(t, meWorks(t, a.c, nil))
			_, ok = s.step(t, a, signup.ActionBackupCodeAck, map[string]any{})
			require.True(t, ok)
			require.Equal(t, flows.Done, a.state)
		})
	}
}

func mustMarshal(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
