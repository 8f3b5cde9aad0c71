package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// AuditEvent is one row of a tenant's audit log: a sign-in or its failure,
// an account change or an admin change. What goes in each field, and that
// no secret does, is internal/audit's rule; this is only its storage.
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events,alias:ae"`

	ID       uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	Type     string    `bun:"type,notnull"`
	// UserID is the user the event is about, nil when none is known (a
	// sign-in with an unknown passkey, a change of the tenant's settings).
	UserID *uuid.UUID `bun:"user_id,type:uuid"`
	// Actor is who did it: "user:<id>", "admin:<id>", "api_key:<id>" or
	// "anonymous".
	Actor     string `bun:"actor,notnull"`
	Method    string `bun:"method,notnull"`
	AMR       string `bun:"amr,notnull"`
	IP        string `bun:"ip,notnull"`
	UserAgent string `bun:"user_agent,notnull"`
	// Result is "success" or the public error code of a failure.
	Result string `bun:"result,notnull"`
	// Details is a JSON object (target, before, after).
	Details    string    `bun:"details,notnull"`
	OccurredAt time.Time `bun:"occurred_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
}

// AuditPage asks for one page of a tenant's audit log, newest first.
type AuditPage struct {
	// Limit is the most events returned (1 to 100).
	Limit int
	// After is the id of the last event of the previous page.
	After *uuid.UUID
	// Types keeps events of these types; empty keeps all.
	Types []string
	// UserID keeps the events about this user.
	UserID *uuid.UUID
	// Since and Until keep events that occurred at or after Since and
	// before Until.
	Since, Until *time.Time
}

// AuditStore keeps one tenant's audit log.
type AuditStore struct{ s Scope }

// Audit returns the scope's audit log.
func (s Scope) Audit() AuditStore { return AuditStore{s: s} }

// Record inserts events in one statement, stamping the tenant and an id.
func (as AuditStore) Record(ctx context.Context, events ...*AuditEvent) error {
	if err := as.s.check(); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	as.stamp(events)
	if _, err := as.s.idb.NewInsert().Model(&events).Exec(ctx); err != nil {
		return fmt.Errorf("record audit events: %w", err)
	}
	return nil
}

// stamp fills in the tenant, an id and empty details of events.
func (as AuditStore) stamp(events []*AuditEvent) {
	for _, e := range events {
		e.TenantID = as.s.tenant
		if e.ID == uuid.Nil {
			e.ID = uuid.Must(uuid.NewV7())
		}
		if e.Details == "" {
			e.Details = "{}"
		}
	}
}

// List returns a page of the tenant's audit log, newest first (ids are
// UUIDv7), and whether more follow. One statement.
func (as AuditStore) List(ctx context.Context, p AuditPage) ([]*AuditEvent, bool, error) {
	if err := as.s.check(); err != nil {
		return nil, false, err
	}
	if p.Limit < 1 || p.Limit > 100 {
		return nil, false, fmt.Errorf("list audit events: limit %d is outside 1–100", p.Limit)
	}
	var out []*AuditEvent
	q := as.s.idb.NewSelect().Model(&out).
		Where("ae.tenant_id = ?", as.s.tenant).
		OrderExpr("ae.id DESC").
		Limit(int64(p.Limit + 1))
	if p.After != nil {
		q = q.Where("ae.id < ?", *p.After)
	}
	if len(p.Types) > 0 {
		q = q.Where("ae.type IN (?)", bun.In(p.Types))
	}
	if p.UserID != nil {
		q = q.Where("ae.user_id = ?", *p.UserID)
	}
	if p.Since != nil {
		q = q.Where("ae.occurred_at >= ?", p.Since.UTC())
	}
	if p.Until != nil {
		q = q.Where("ae.occurred_at < ?", p.Until.UTC())
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list audit events: %w", err)
	}
	more := len(out) > p.Limit
	if more {
		out = out[:p.Limit]
	}
	return out, more, nil
}
