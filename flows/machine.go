package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// State is a flow state.
type State string

// Done is the state of a finished flow: the engine deletes the flow row
// when an action leads to it.
const Done State = "done"

// Transition declares that action may run in From and lead to one of To,
// or, with Stays, back to the state it ran in.
//
// Captcha marks the action as guarded by the tenant's CAPTCHA: when the
// tenant's Captcha.Provider is not off, the engine checks the request's
// token (RequestInfo.Captcha) with its CaptchaVerifier before it loads the
// flow or runs the action, and refuses the request with ErrCaptchaRequired,
// ErrCaptchaFailed or ErrCaptchaUnavailable without touching the flow. To
// guard an action, set Captcha: true on its transitions (all of them: an
// action is guarded in every state or in none, and the machine check
// refuses a mix) and build the engine with NewEngineFromDeps, which passes
// Deps.Captcha; NewEngine has no verifier and refuses a machine with a
// guarded action. Guard what a person types and an attacker can try in
// bulk (a password, a code, a request to send a code). Never guard a
// passkey action (an action named passkey.* or *.passkey.*, or a finisher):
// passkey sign-in needs no CAPTCHA, and the check refuses such a machine.
type Transition struct {
	Action string
	From   []State
	To     []State
	// Stays lets the action leave the flow in the state it ran in,
	// whichever of From that is, besides any state in To: an action that
	// only refreshes the flow (a new ceremony, a new code) in several
	// states declares that, and never a move from one of them to another.
	Stays bool
	// Captcha guards the action with the tenant's CAPTCHA; see above.
	Captcha bool
	// NoTx declares that the action touches no table (its Step has no Tx
	// and its Scope is outside any transaction): a flow begun with it is
	// stored in one statement, without BEGIN and COMMIT around it. Only
	// Begin honours it; an action that moves a stored flow runs in the
	// transaction that locked it.
	NoTx bool
}

// Machine declares one flow kind: its states, its transitions and the
// action implementations, with C the type of the flow's context.
type Machine[C any] struct {
	Kind  string
	Start State
	// TTL is how long a flow lives after its last step.
	TTL         time.Duration
	Transitions []Transition
	Actions     map[string]Action[C]
	// Open, when set, says whether flows of this kind may run for a
	// tenant at all. The engine asks it before Start, Begin and every Run,
	// before a flow is created or loaded and before any action runs, so a
	// refusal holds for every action in every state, whatever door the
	// request came through. A nil Open lets every tenant run the flow.
	Open func(t *tenants.Tenant) error
}

// open applies Open to t.
func (m *Machine[C]) open(t *tenants.Tenant) error {
	if m.Open == nil {
		return nil
	}
	return m.Open(t)
}

// Action runs one step of a flow.
type Action[C any] func(ctx context.Context, step *Step[C]) error

// Step is what an action works with and what it decides.
type Step[C any] struct {
	Tenant *tenants.Tenant
	// Tx is the request's transaction; Scope is the tenant's scope on it.
	Tx    *db.Tx
	Scope db.Scope
	// Flow is the stored flow (read-only for actions: use Context, Next
	// and the ceremony helpers).
	Flow *db.Flow
	// Context is the flow's typed context; changes are saved.
	Context *C
	// Input is the action's request body.
	Input json.RawMessage
	// Request describes the client.
	Request RequestInfo
	// Now is the request's time from the engine's clock.
	Now time.Time

	// Next is the state the action leads to; it starts as the current
	// state. The engine refuses a Next the transition does not declare.
	Next State
	// Output is returned to the client as the action's result.
	Output any
	// Session, when an action signs the user in, is the new session.
	Session *IssuedSession

	ceremony        *string
	ceremonyExpires *time.Time
	// events are what the step records in the audit log (Record).
	events []audit.Event
	// unstored is the step's session until the engine stores it
	// (IssueSession).
	unstored *db.Session
}

// RequestInfo is what an action may know of the client.
type RequestInfo struct {
	UserAgent string
	IP        string
	// Captcha is the CAPTCHA widget's token the client sent, checked for
	// the actions a machine guards (Transition.Captcha); "" when none.
	Captcha string
	// UserID is the signed-in user making the request, if any.
	UserID *uuid.UUID
	// SessionID is that user's session, for the actions that need a
	// recent verification (RequireRecentVerificationOf).
	SessionID *uuid.UUID
	// Lang is the language the client asked for (its choice on the hosted
	// pages, else its Accept-Language), "" when none Sesame speaks: codes
	// sent for the request are written in it, else in the tenant's
	// default language.
	Lang string
	// AuthRequest is the application's authorization request the page
	// making the request was opened for, nil when none: a step that ends
	// the flow with a session answers it (AuthRequestCompleter).
	AuthRequest *AuthRequestRef
	// Device is the browser's device cookie ("" when none), which
	// Deps.Devices reads to tell a sign-in from a new device.
	Device string
}

// SetCeremony stores a ceremony on the flow (replacing any other).
func (s *Step[C]) SetCeremony(encoded string, expires time.Time) {
	s.ceremony = &encoded
	e := expires.UTC()
	s.ceremonyExpires = &e
}

// TakeCeremony returns the flow's ceremony if it has one that has not
// expired, and removes it from the flow: a ceremony is used once, whether
// the response verifies or not.
func (s *Step[C]) TakeCeremony() (string, bool) {
	c, e := s.ceremony, s.ceremonyExpires
	s.ceremony, s.ceremonyExpires = nil, nil
	if c == nil || e == nil || !s.Now.Before(*e) {
		return "", false
	}
	return *c, true
}

// check validates the declaration: every transition names a declared
// action and known states, every action has a transition, the start state
// has an action, and Done has none.
func (m *Machine[C]) check() error {
	if m.Kind == "" || m.Start == "" || m.TTL <= 0 {
		return fmt.Errorf("flow machine %q: kind, start state and TTL are required", m.Kind)
	}
	states := map[State]bool{m.Start: true, Done: true}
	for _, t := range m.Transitions {
		for _, s := range append(slices.Clone(t.From), t.To...) {
			states[s] = true
		}
	}
	used := map[string]bool{}
	reached := map[State]bool{m.Start: true}
	for _, t := range m.Transitions {
		if _, ok := m.Actions[t.Action]; !ok {
			return fmt.Errorf("flow machine %s: transition %q has no action", m.Kind, t.Action)
		}
		if len(t.From) == 0 || (len(t.To) == 0 && !t.Stays) {
			return fmt.Errorf("flow machine %s: transition %q needs from and to states", m.Kind, t.Action)
		}
		if slices.Contains(t.From, Done) {
			return fmt.Errorf("flow machine %s: action %q runs in %s, which is final", m.Kind, t.Action, Done)
		}
		if t.Captcha && IsPasskeyAction(t.Action) {
			return fmt.Errorf("flow machine %s: passkey action %q is guarded by a CAPTCHA; passkey paths never need one", m.Kind, t.Action)
		}
		if guarded, seen := m.captchaOf(t.Action); seen && guarded != t.Captcha {
			return fmt.Errorf("flow machine %s: action %q is CAPTCHA-guarded in some transitions and not in others; guard all of them or none", m.Kind, t.Action)
		}
		used[t.Action] = true
	}
	for name := range m.Actions {
		if !used[name] {
			return fmt.Errorf("flow machine %s: action %q is in no transition", m.Kind, name)
		}
	}
	// Every state must be reachable from the start.
	for changed := true; changed; {
		changed = false
		for _, t := range m.Transitions {
			if !slices.ContainsFunc(t.From, func(s State) bool { return reached[s] }) {
				continue
			}
			for _, to := range t.To {
				if !reached[to] {
					reached[to] = true
					changed = true
				}
			}
		}
	}
	var unreachable []string
	for s := range states {
		if !reached[s] {
			unreachable = append(unreachable, string(s))
		}
	}
	if len(unreachable) > 0 {
		sort.Strings(unreachable)
		return fmt.Errorf("flow machine %s: states %v cannot be reached from %s", m.Kind, unreachable, m.Start)
	}
	return nil
}

// Leads lists the states the transition may lead to when it runs in from:
// To, and from itself when the transition Stays.
func (t Transition) Leads(from State) []State {
	if t.Stays && !slices.Contains(t.To, from) {
		return append(slices.Clone(t.To), from)
	}
	return t.To
}

// captchaOf reports whether the first transition of action is
// CAPTCHA-guarded, and whether action has a transition at all.
func (m *Machine[C]) captchaOf(action string) (guarded, found bool) {
	for _, t := range m.Transitions {
		if t.Action == action {
			return t.Captcha, true
		}
	}
	return false, false
}

// CaptchaActions lists the CAPTCHA-guarded actions, in declaration order;
// pages send the CAPTCHA token with these.
func (m *Machine[C]) CaptchaActions() []string {
	var out []string
	for _, t := range m.Transitions {
		if t.Captcha && !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// IsPasskeyAction reports whether action is a passkey action by its name:
// "passkey", or a dot-separated name with a "passkey" part (passkey.begin,
// passkey.finish, mfa.passkey.begin, ...). Such an action can never be
// CAPTCHA-guarded.
func IsPasskeyAction(action string) bool {
	return slices.Contains(strings.Split(action, "."), "passkey")
}

// transition returns the declaration of action in state, if allowed.
func (m *Machine[C]) transition(action string, state State) (Transition, bool) {
	for _, t := range m.Transitions {
		if t.Action == action && slices.Contains(t.From, state) {
			return t, true
		}
	}
	return Transition{}, false
}

// Allowed lists the actions allowed in state, in declaration order.
func (m *Machine[C]) Allowed(state State) []string {
	var out []string
	for _, t := range m.Transitions {
		if slices.Contains(t.From, state) && !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// States lists every declared state.
func (m *Machine[C]) States() []State {
	seen := map[State]bool{}
	var out []State
	add := func(s State) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(m.Start)
	for _, t := range m.Transitions {
		for _, s := range t.From {
			add(s)
		}
		for _, s := range t.To {
			add(s)
		}
	}
	return out
}

// ActionNames lists every declared action.
func (m *Machine[C]) ActionNames() []string {
	var out []string
	for _, t := range m.Transitions {
		if !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// PutCeremony stores a passkey ceremony on the flow (replacing any other).
func (s *Step[C]) PutCeremony(c *passkey.Ceremony) error {
	enc, err := c.Encode()
	if err != nil {
		return err
	}
	s.SetCeremony(enc, c.Expires)
	return nil
}

// TakePasskeyCeremony takes the flow's ceremony (see TakeCeremony) and
// decodes it. Without a live one it returns Fail(ErrCeremonyMissing).
func (s *Step[C]) TakePasskeyCeremony() (*passkey.Ceremony, error) {
	enc, ok := s.TakeCeremony()
	if !ok {
		return nil, Fail(ErrCeremonyMissing)
	}
	return passkey.DecodeCeremony(enc)
}
