package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// Peeked is what a page may read of a flow without moving it: where it
// stands, what it allows next and until when it lives.
type Peeked struct {
	State     State
	Actions   []string
	ExpiresAt time.Time
}

// Peek reads the flow addressed by token without changing it: one SELECT,
// no lock, no transaction. A page that reloads resumes from it on the
// screen of the flow's state. The flow's context (its user, its codes)
// never leaves the server; a flow of another kind, expired or unknown is
// ErrFlowNotFound alike, as for Run.
func (e *Engine[C]) Peek(ctx context.Context, t *tenants.Tenant, token string) (*Peeked, error) {
	if err := e.m.open(t); err != nil {
		return nil, err
	}
	if token == "" {
		return nil, ErrFlowNotFound
	}
	f, err := e.db.ForTenant(t.ID).Flows().ByToken(ctx, HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrFlowNotFound
	}
	if err != nil {
		return nil, e.public(ctx, "peek", err)
	}
	if f.Kind != e.m.Kind || !e.clock.Now().Before(f.ExpiresAt) {
		return nil, ErrFlowNotFound
	}
	s := State(f.State)
	return &Peeked{State: s, Actions: e.m.Allowed(s), ExpiresAt: f.ExpiresAt}, nil
}

// PeekContext is Peek for a door of the server (never a page): it also
// returns the flow's context, which the door must not send out. The
// federation callback reads the flow's waiting state with it before it
// talks to the upstream, outside any transaction.
func (e *Engine[C]) PeekContext(ctx context.Context, t *tenants.Tenant, token string) (State, *C, error) {
	if err := e.m.open(t); err != nil {
		return "", nil, err
	}
	if token == "" {
		return "", nil, ErrFlowNotFound
	}
	f, err := e.db.ForTenant(t.ID).Flows().ByToken(ctx, HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return "", nil, ErrFlowNotFound
	}
	if err != nil {
		return "", nil, e.public(ctx, "peek", err)
	}
	if f.Kind != e.m.Kind || !e.clock.Now().Before(f.ExpiresAt) {
		return "", nil, ErrFlowNotFound
	}
	c := new(C)
	if err := json.Unmarshal([]byte(f.Context), c); err != nil {
		return "", nil, e.public(ctx, "peek", fmt.Errorf("decode %s context: %w", e.m.Kind, err))
	}
	return State(f.State), c, nil
}
