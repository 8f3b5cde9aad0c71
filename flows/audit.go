package flows

import (
	"context"
	"errors"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/webhook"
	"github.com/sesame-id/sesame/tenants"
)

// Record adds e to the events the step leaves in the tenant's audit log,
// with the client's IP and user agent when e names none. The engine writes
// them in the step's transaction when it commits (a success, or a failure
// that saves the flow), and after the rollback when a finisher fails, so a
// failed sign-in is recorded even though what it did is not.
func (s *Step[C]) Record(e audit.Event) {
	if e.IP == "" {
		e.IP = s.Request.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = s.Request.UserAgent
	}
	if e.Lang == "" {
		e.Lang = s.Request.Lang
	}
	if e.Actor == "" {
		e.Actor = audit.Anonymous
		if e.User != nil {
			e.Actor = audit.UserActor(*e.User)
		}
	}
	s.events = append(s.events, e)
}

// RecordAudit stores events in t's audit log on scope, kept for the
// tenant's retention: the one way a flows service writes the log.
// Its webhook deliveries go through jobs (Deps.Jobs).
func RecordAudit(ctx context.Context, scope db.Scope, t *tenants.Tenant, jobs JobInserter, now time.Time, events ...audit.Event) error {
	return audit.Record(ctx, scope, t.AuditPolicy(webhookJobs(jobs)), now, events...)
}

// webhookJobs is jobs as the webhooks' inserter: the River client is both;
// a job inserter that cannot insert many (a test's) enqueues no delivery.
func webhookJobs(jobs JobInserter) webhook.Inserter {
	wi, _ := jobs.(webhook.Inserter)
	return wi
}

// recordStep writes the step's events on scope (one statement, none when
// the step recorded nothing; more when a webhook wants one), with the
// session the step issued, if any (createStepSession).
func (e *Engine[C]) recordStep(ctx context.Context, scope db.Scope, step *Step[C]) error {
	if s := step.unstored; s != nil {
		step.unstored = nil
		return e.createStepSession(ctx, scope, step, s)
	}
	if len(step.events) == 0 {
		return nil
	}
	return audit.Record(ctx, scope, step.Tenant.AuditPolicy(e.webhooks), step.Now, step.events...)
}

// createStepSession stores the session a step issued and the step's
// events. When storing the rows is all recording them would do
// (audit.Plain: no webhook wants them, no security notice), both go in one
// write (db.SessionStore.CreateWithAudit: one statement on PostgreSQL);
// otherwise the session's insert, then audit.Record's general path.
func (e *Engine[C]) createStepSession(ctx context.Context, scope db.Scope, step *Step[C], s *db.Session) error {
	if len(step.events) == 0 {
		return scope.Sessions().Create(ctx, s)
	}
	p := step.Tenant.AuditPolicy(e.webhooks)
	rows, err := audit.Rows(ctx, p, step.Now, step.events...)
	if err != nil {
		return err
	}
	if audit.Plain(p, rows, step.events) {
		return scope.Sessions().CreateWithAudit(ctx, s, rows...)
	}
	if err := scope.Sessions().Create(ctx, s); err != nil {
		return err
	}
	return audit.RecordRows(ctx, scope, p, rows, step.events)
}

// keepEvents hands a failed step's events to the engine through its
// failure, so they outlive a rolled-back transaction.
func keepEvents[C any](err error, step *Step[C]) {
	var fl *failure
	if errors.As(err, &fl) {
		fl.events = step.events
	}
}

// recordAfter writes the events of a step whose transaction rolled back.
// The failure it records is already the answer, so a write that fails is
// logged, never returned in its place.
func (e *Engine[C]) recordAfter(ctx context.Context, t *tenants.Tenant, now time.Time, events []audit.Event) {
	if len(events) == 0 {
		return
	}
	err := e.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		return audit.Record(ctx, tx.ForTenant(t.ID), t.AuditPolicy(e.webhooks), now, events...)
	})
	if err != nil {
		e.logger.ErrorContext(ctx, "record audit events", "kind", e.m.Kind, "err", err)
	}
}

// failed handles an action's error err: after a Fail of an action that is
// not a finisher the flow is saved and the transaction commits, and the
// step's events with it; otherwise the events ride on the failure
// (keepEvents) for recordAfter. It returns the error the step returns.
func (e *Engine[C]) failed(ctx context.Context, scope db.Scope, f *db.Flow, step *Step[C], finisher bool, err error) error {
	var fl *failure
	if errors.As(err, &fl) && !finisher {
		if serr := e.save(ctx, scope, f, step, State(f.State)); serr != nil {
			return serr
		}
		if rerr := e.recordStep(ctx, scope, step); rerr != nil {
			return rerr
		}
	}
	keepEvents(err, step)
	return err
}
