package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/webhook"
	"github.com/sesame-id/sesame/tenants"
)

// Engine runs the flows of one machine.
type Engine[C any] struct {
	db     *db.DB
	m      *Machine[C]
	clock  clock.Clock
	logger *slog.Logger
	// finishers are the actions that end the flow with its ceremony; see
	// Finisher.
	finishers map[string]bool
	// captcha checks the tokens of the captchaActions (Transition.Captcha).
	captcha        CaptchaVerifier
	captchaActions map[string]bool
	// observer, when set, sees every Begin and Run (Deps.Observer).
	observer StepObserver

	// authRequests answers the authorization request a step that signs
	// in carries (Deps.AuthRequests); nil for none.
	authRequests AuthRequestCompleter
	// webhooks enqueues the webhook deliveries of the steps' audit events
	// (Deps.Jobs); nil for none.
	webhooks webhook.Inserter
}

// NewEngine checks m and returns its engine. finishers names the actions
// that always end the flow by consuming its ceremony (a passkey sign-in):
// for them the engine loads the flow by deleting it in the same statement
// (db.FlowStore.TakeWithCeremony), which keeps a passkey sign-in within its
// statement budget; if such an action fails, the flow comes back without
// its ceremony.
//
// The engine has no CAPTCHA verifier, so m may guard no action
// (Transition.Captcha); use NewEngineFromDeps for one that does.
func NewEngine[C any](d *db.DB, m *Machine[C], clk clock.Clock, logger *slog.Logger, finishers ...string) (*Engine[C], error) {
	return newEngine(d, m, clk, logger, nil, finishers)
}

// NewEngineFromDeps is NewEngine with the database, clock, logger,
// CAPTCHA verifier and step observer of d (defaults filled in by Deps.WithDefaults).
func NewEngineFromDeps[C any](d Deps, m *Machine[C], finishers ...string) (*Engine[C], error) {
	d = d.WithDefaults()
	e, err := newEngine(d.DB, m, d.Clock, d.Logger, d.Captcha, finishers)
	if err != nil {
		return nil, err
	}
	e.observer = d.Observer
	e.authRequests = d.AuthRequests
	e.webhooks = webhookJobs(d.Jobs)
	return e, nil
}

func newEngine[C any](d *db.DB, m *Machine[C], clk clock.Clock, logger *slog.Logger, verifier CaptchaVerifier, finishers []string) (*Engine[C], error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if clk == nil {
		clk = clock.Real{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine[C]{db: d, m: m, clock: clk, logger: logger, finishers: map[string]bool{}, captcha: verifier, captchaActions: map[string]bool{}}
	for _, name := range finishers {
		for _, t := range m.Transitions {
			if t.Action == name && (t.Stays || !slices.Equal(t.To, []State{Done})) {
				return nil, fmt.Errorf("flow machine %s: finisher %q must lead only to %s", m.Kind, name, Done)
			}
			if t.Action == name && t.Captcha {
				return nil, fmt.Errorf("flow machine %s: finisher %q ends a passkey ceremony and cannot be CAPTCHA-guarded", m.Kind, name)
			}
		}
		e.finishers[name] = true
	}
	for _, name := range m.CaptchaActions() {
		if verifier == nil {
			return nil, fmt.Errorf("flow machine %s: action %q is CAPTCHA-guarded but the engine has no CAPTCHA verifier; build it with flows.NewEngineFromDeps", m.Kind, name)
		}
		e.captchaActions[name] = true
	}
	return e, nil
}

// Machine returns the engine's machine.
func (e *Engine[C]) Machine() *Machine[C] { return e.m }

// Result is what a step returns to the client.
type Result struct {
	// Token addresses the flow (only set by Start).
	Token string
	State State
	// Actions are the actions allowed next.
	Actions []string
	Output  any
	Session *IssuedSession
	// Redirect, when the step signed in for an application's
	// authorization request and answered it, is where the browser goes
	// next (AuthRequestCompleter); "" otherwise.
	Redirect string
}

// Start creates a flow in the machine's start state with context c.
func (e *Engine[C]) Start(ctx context.Context, t *tenants.Tenant, c C) (*Result, error) {
	if err := e.m.open(t); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode %s context: %w", e.m.Kind, err)
	}
	token, hash := NewToken()
	now := e.clock.Now()
	f := &db.Flow{
		Kind:      e.m.Kind,
		State:     string(e.m.Start),
		Context:   string(raw),
		TokenHash: hash,
		CreatedAt: now,
		ExpiresAt: now.Add(e.m.TTL),
	}
	if err := e.db.ForTenant(t.ID).Flows().Create(ctx, f); err != nil {
		return nil, err
	}
	return &Result{Token: token, State: e.m.Start, Actions: e.m.Allowed(e.m.Start)}, nil
}

// begin is Begin without its observer.
func (e *Engine[C]) begin(ctx context.Context, t *tenants.Tenant, c C, action string, input json.RawMessage, req RequestInfo) (*Result, error) {
	if err := e.m.open(t); err != nil {
		return nil, err
	}
	run, ok := e.m.Actions[action]
	if !ok {
		return nil, ErrActionNotAllowed.WithField("action", fmt.Sprintf("There is no action %q.", action))
	}
	tr, ok := e.m.transition(action, e.m.Start)
	if !ok || e.finishers[action] {
		return nil, ErrActionNotAllowed
	}
	if err := e.checkCaptcha(ctx, t, action, req); err != nil {
		return nil, err
	}
	token, hash := NewToken()
	now := e.clock.Now()
	// The id is chosen now, so that what the first action binds to the
	// flow (a code sent by it) names the row about to be stored.
	f := &db.Flow{ID: uuid.Must(uuid.NewV7()), Kind: e.m.Kind, State: string(e.m.Start), TokenHash: hash, CreatedAt: now}
	var res *Result
	start := func(ctx context.Context, tx *db.Tx, scope db.Scope) error {
		step := &Step[C]{Tenant: t, Tx: tx, Scope: scope, Flow: f, Context: &c, Input: input, Request: req, Now: now, Next: e.m.Start}
		if err := run(ctx, step); err != nil {
			keepEvents(err, step)
			return err
		}
		if err := e.recordStep(ctx, scope, step); err != nil {
			return err
		}
		if !slices.Contains(tr.Leads(e.m.Start), step.Next) {
			return fmt.Errorf("flow %s: action %q led from %s to %s, which its transition does not allow", e.m.Kind, action, e.m.Start, step.Next)
		}
		res = &Result{Token: token, State: step.Next, Actions: e.m.Allowed(step.Next), Output: step.Output, Session: step.Session}
		if step.Next == Done {
			if tx == nil {
				return fmt.Errorf("flow %s: action %q, declared NoTx, ended the flow", e.m.Kind, action)
			}
			res.Token = ""
			return completeAuthRequest(ctx, e.authRequests, scope, t, res, req, now)
		}
		raw, err := json.Marshal(step.Context)
		if err != nil {
			return fmt.Errorf("encode %s context: %w", e.m.Kind, err)
		}
		f.State, f.Context = string(step.Next), string(raw)
		f.Ceremony, f.CeremonyExpiresAt = step.ceremony, step.ceremonyExpires
		f.ExpiresAt = now.Add(e.m.TTL)
		return scope.Flows().Create(ctx, f)
	}
	var err error
	if tr.NoTx {
		err = start(ctx, nil, e.db.ForTenant(t.ID))
	} else {
		err = e.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return start(ctx, tx, tx.ForTenant(t.ID)) })
	}
	if err != nil {
		var fl *failure
		if errors.As(err, &fl) {
			e.recordAfter(ctx, t, now, fl.events)
			err = fl.err
		}
		return nil, e.public(ctx, action, err)
	}
	return res, nil
}

// run is Run without its observer.
func (e *Engine[C]) run(ctx context.Context, t *tenants.Tenant, token, action string, input json.RawMessage, req RequestInfo) (*Result, error) {
	if err := e.m.open(t); err != nil {
		return nil, err
	}
	if token == "" {
		return nil, ErrFlowNotFound
	}
	if _, ok := e.m.Actions[action]; !ok {
		return nil, ErrActionNotAllowed.WithField("action", fmt.Sprintf("There is no action %q.", action))
	}
	if err := e.checkCaptcha(ctx, t, action, req); err != nil {
		return nil, err
	}
	var (
		res     *Result
		saveErr error // a failed step whose flow is saved regardless
		taken   *db.Flow
	)
	err := e.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		res, taken, err = e.step(ctx, tx, t, token, action, input, req)
		var f *failure
		if errors.As(err, &f) && taken == nil {
			// Commit what the failed step consumed, then report it.
			saveErr = f.err
			return nil
		}
		return err
	})
	var f *failure
	if errors.As(err, &f) && taken != nil {
		// A finisher failed after taking the flow: the transaction rolled
		// the deletion back; take the ceremony away so it is used once.
		taken.Ceremony, taken.CeremonyExpiresAt = nil, nil
		if uerr := e.db.ForTenant(t.ID).Flows().Update(ctx, taken, e.clock.Now()); uerr != nil && !errors.Is(uerr, db.ErrConflict) && !errors.Is(uerr, db.ErrNotFound) {
			return nil, uerr
		}
		e.recordAfter(ctx, t, e.clock.Now(), f.events)
		return nil, f.err
	}
	if err != nil {
		return nil, e.public(ctx, action, err)
	}
	if saveErr != nil {
		return nil, e.public(ctx, action, saveErr)
	}
	return res, nil
}

// step runs inside the transaction. For a finisher it also returns the
// flow it took, so Run can restore it on failure.
func (e *Engine[C]) step(ctx context.Context, tx *db.Tx, t *tenants.Tenant, token, action string, input json.RawMessage, req RequestInfo) (*Result, *db.Flow, error) {
	scope := tx.ForTenant(t.ID)
	now := e.clock.Now()
	hash := HashToken(token)

	var (
		f   *db.Flow
		err error
	)
	finisher := e.finishers[action]
	if finisher {
		f, err = scope.Flows().TakeWithCeremony(ctx, hash, now)
		if errors.Is(err, db.ErrNotFound) {
			// Either no such flow or no live ceremony on it.
			return nil, nil, ErrCeremonyMissing
		}
	} else {
		// Held until commit: requests on one flow run one at a time, so
		// an attempt a step counts (a code, a password) is committed
		// before the next request on the flow is compared (db.FlowStore.Lock).
		f, err = scope.Flows().Lock(ctx, hash)
		if errors.Is(err, db.ErrNotFound) {
			return nil, nil, ErrFlowNotFound
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if f.Kind != e.m.Kind || !now.Before(f.ExpiresAt) {
		return nil, nil, ErrFlowNotFound
	}
	tr, ok := e.m.transition(action, State(f.State))
	if !ok {
		return nil, nil, ErrActionNotAllowed
	}

	var c C
	if err := json.Unmarshal([]byte(f.Context), &c); err != nil {
		return nil, nil, fmt.Errorf("decode %s context: %w", e.m.Kind, err)
	}
	step := &Step[C]{
		Tenant: t, Tx: tx, Scope: scope, Flow: f, Context: &c, Input: input,
		Request: req, Now: now, Next: State(f.State),
		ceremony: f.Ceremony, ceremonyExpires: f.CeremonyExpiresAt,
	}
	var taken *db.Flow
	if finisher {
		taken = f
	}
	if err := e.m.Actions[action](ctx, step); err != nil {
		return nil, taken, e.failed(ctx, scope, f, step, finisher, err)
	}
	if err := e.recordStep(ctx, scope, step); err != nil {
		return nil, nil, err
	}
	if !slices.Contains(tr.Leads(State(f.State)), step.Next) {
		return nil, nil, fmt.Errorf("flow %s: action %q led from %s to %s, which its transition does not allow", e.m.Kind, action, f.State, step.Next)
	}
	if step.Next == Done {
		if !finisher {
			// The version loaded, so that a flow that changed under the
			// step never ends in a session.
			if err := scope.Flows().DeleteVersion(ctx, f); err != nil {
				return nil, nil, flowGone(err)
			}
		}
	} else if err := e.save(ctx, scope, f, step, step.Next); err != nil {
		return nil, nil, err
	}
	res := &Result{State: step.Next, Actions: e.m.Allowed(step.Next), Output: step.Output, Session: step.Session}
	if err := completeAuthRequest(ctx, e.authRequests, scope, t, res, req, now); err != nil {
		return nil, nil, err
	}
	return res, nil, nil
}

func (e *Engine[C]) save(ctx context.Context, scope db.Scope, f *db.Flow, step *Step[C], next State) error {
	raw, err := json.Marshal(step.Context)
	if err != nil {
		return fmt.Errorf("encode %s context: %w", e.m.Kind, err)
	}
	f.State = string(next)
	f.Context = string(raw)
	f.Ceremony, f.CeremonyExpiresAt = step.ceremony, step.ceremonyExpires
	f.ExpiresAt = step.Now.Add(e.m.TTL)
	if err := scope.Flows().Update(ctx, f, step.Now); err != nil {
		return flowGone(err)
	}
	return nil
}

// flowGone translates a flow write that found the flow moved (ErrConflict)
// or removed (ErrNotFound) by another request into the public errors that
// say so; other errors pass unchanged.
func flowGone(err error) error {
	switch {
	case errors.Is(err, db.ErrConflict):
		return ErrFlowChanged
	case errors.Is(err, db.ErrNotFound):
		return ErrFlowNotFound
	}
	return err
}

// public logs an internal error and returns the public form of err.
func (e *Engine[C]) public(ctx context.Context, action string, err error) error {
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	e.logger.ErrorContext(ctx, "flow step failed", "kind", e.m.Kind, "action", action, "err", err)
	return ErrInternal
}
