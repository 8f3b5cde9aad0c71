package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upHotTablesTenantKeys drops, on PostgreSQL, the foreign keys from the
// three tables every passkey sign-in writes (flows, sessions,
// audit_events) to tenants. Each such key made every insert check and
// lock the tenant's one row (FOR KEY SHARE): all the sign-ins of a tenant
// took a share lock on the same row, which PostgreSQL records as a
// multixact once two overlap; measured, the three checks cost about a
// tenth of the database's CPU per sign-in. Nothing is lost: tenants are
// never deleted, every insert takes its tenant from a resolved tenant, and
// a session still references its user (tenant_id, user_id), whose row
// references the tenant. SQLite keeps the keys (its checks take no lock
// and cost no round trip; it cannot drop a constraint without rebuilding
// the table).
//
// Dropping a constraint no code relies on only loosens what the database
// refuses, so an older binary keeps serving: an expand step.
func upHotTablesTenantKeys(ctx context.Context, tx bun.Tx, dialect string) error {
	if dialect != "postgres" {
		return nil
	}
	return execAll(ctx, tx, dialect,
		`ALTER TABLE flows DROP CONSTRAINT IF EXISTS flows_tenant_id_fkey`,
		`ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_tenant_id_fkey`,
		`ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_tenant_id_fkey`,
	)
}
