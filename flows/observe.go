package flows

import (
	"context"
	"encoding/json"

	"github.com/sesame-id/sesame/tenants"
)

// StepObserver watches the steps an Engine runs, for metrics and traces
// (internal/telemetry). StartStep runs before a step and may return a
// context carrying a span; EndStep runs after it with its outcome. Both
// run on the request's goroutine, so an implementation must be cheap.
type StepObserver interface {
	StartStep(ctx context.Context, kind, action string) context.Context
	EndStep(ctx context.Context, step StepOutcome)
}

// StepOutcome is what a step came to. It carries no input and no
// identifier, only what the machine declares (kind, action, state) and the
// catalogue's error code, so that an observer cannot leak personal data.
type StepOutcome struct {
	Tenant *tenants.Tenant
	Kind   string
	// Action is the action run, or "unknown" when the machine has no such
	// action: the observer's labels stay bounded whatever a client sends.
	Action string
	// Next is the state the flow is in after the step; empty on error.
	Next State
	// SignedIn says the step issued a session.
	SignedIn bool
	// Err is the step's error (a public *Error, or ErrInternal).
	Err error
}

// observed runs fn as a step of action under the engine's observer, if any.
func (e *Engine[C]) observed(ctx context.Context, t *tenants.Tenant, action string, fn func(ctx context.Context) (*Result, error)) (*Result, error) {
	if e.observer == nil {
		return fn(ctx)
	}
	if _, ok := e.m.Actions[action]; !ok {
		action = "unknown"
	}
	ctx = e.observer.StartStep(ctx, e.m.Kind, action)
	res, err := fn(ctx)
	out := StepOutcome{Tenant: t, Kind: e.m.Kind, Action: action, Err: err}
	if res != nil {
		out.Next, out.SignedIn = res.State, res.Session != nil
	}
	e.observer.EndStep(ctx, out)
	return res, err
}

// Begin creates a flow and performs its first action in one go, storing
// the flow only once, already moved: starting a passkey ceremony costs a
// single statement. action must be allowed in the start state.
func (e *Engine[C]) Begin(ctx context.Context, t *tenants.Tenant, c C, action string, input json.RawMessage, req RequestInfo) (*Result, error) {
	return e.observed(ctx, t, action, func(ctx context.Context) (*Result, error) {
		return e.begin(ctx, t, c, action, input, req)
	})
}

// Run performs action on the flow addressed by token, in one transaction.
// Errors are public *Error values (or wrap one); anything else is internal.
func (e *Engine[C]) Run(ctx context.Context, t *tenants.Tenant, token, action string, input json.RawMessage, req RequestInfo) (*Result, error) {
	return e.observed(ctx, t, action, func(ctx context.Context) (*Result, error) {
		return e.run(ctx, t, token, action, input, req)
	})
}
