package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upAuditEvents adds the tenant's audit log: one row per security event
// (sign-ins and their failures, account and admin changes). id is a UUIDv7,
// so it orders the log and is its cursor; expires_at is fixed when the row
// is written from the tenant's retention and the cleanup job removes the
// row after it. details holds the event's before/after and target, never a
// secret (internal/audit decides what goes in).
func upAuditEvents(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE audit_events (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			type TEXT NOT NULL,
			user_id {uuid},
			actor TEXT NOT NULL,
			method TEXT NOT NULL,
			amr TEXT NOT NULL,
			ip TEXT NOT NULL,
			user_agent TEXT NOT NULL,
			result TEXT NOT NULL,
			details {json} NOT NULL,
			occurred_at {time} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, id)`,
		`CREATE INDEX audit_events_user_idx ON audit_events (tenant_id, user_id, id)`,
		`CREATE INDEX audit_events_expires_idx ON audit_events (expires_at)`,
	)
}
