package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/webhook"
)

// change runs an admin change on the caller's tenant in one transaction
// and records the event fn returns in the tenant's audit log in it, so the
// log holds a change if and only if it happened. The actor, IP and user
// agent come from the caller (withCaller's audit.Origin).
func (r *Resolver) change(ctx context.Context, fn func(ctx context.Context, scope db.Scope) (audit.Event, error)) error {
	c := callerFrom(ctx)
	return r.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(c.tenant.ID)
		e, err := fn(ctx, scope)
		if err != nil {
			return err
		}
		return audit.Record(ctx, scope, c.tenant.AuditPolicy(r.webhookJobs()), r.Clock.Now(), e)
	})
}

// about returns a pointer to id, for an event's User.
func about(id uuid.UUID) *uuid.UUID { return &id }

// appEvent is an application change's event: the application's id, name
// and type after the change (never its secret).
func appEvent(t audit.Type, a *db.OIDCApp) audit.Event {
	return audit.Event{Type: t, Target: a.ID.String(), After: map[string]any{"name": a.Name, "type": a.Type}}
}

// webhookJobs is the River client as the webhooks' inserter (nil in a test
// without one).
func (r *Resolver) webhookJobs() webhook.Inserter {
	wi, _ := r.Flows.Jobs.(webhook.Inserter)
	return wi
}
