package db

import (
	"context"
	"fmt"
)

// auditColumns are the audit_events columns, in auditArgs' order.
const auditColumns = "id, tenant_id, type, user_id, actor, method, amr, ip, user_agent, result, details, occurred_at, expires_at"

func auditArgs(e *AuditEvent) []any {
	return []any{e.ID, e.TenantID, e.Type, e.UserID, e.Actor, e.Method, e.AMR, e.IP, e.UserAgent, e.Result,
		e.Details, e.OccurredAt, e.ExpiresAt}
}

// CreateWithAudit creates s (as Create) and records events (as
// AuditStore.Record) together. On PostgreSQL, with one event, that is one
// statement (hot_path.go's createSessionWithAudit); elsewhere (SQLite,
// which has no data-modifying CTE, or another number of events) it is
// Create's statement and Record's. What the rows hold is the caller's
// (internal/audit builds them); this only stores them.
func (ss SessionStore) CreateWithAudit(ctx context.Context, s *Session, events ...*AuditEvent) error {
	hot := ss.s.hot
	if hot == nil || len(events) != 1 {
		if err := ss.Create(ctx, s); err != nil {
			return err
		}
		return ss.s.Audit().Record(ctx, events...)
	}
	if err := ss.stamp(s); err != nil {
		return err
	}
	ss.s.Audit().stamp(events)
	args := append(sessionArgs(s), auditArgs(events[0])...)
	if _, err := ss.s.hotExec(ctx, hot.createSessionWithAudit, args...); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("session token: %w", ErrDuplicate)
		}
		return fmt.Errorf("create session and record its audit event: %w", err)
	}
	return nil
}
