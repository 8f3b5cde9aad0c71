package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upSAMLReplay records the SAML assertions a tenant's service providers
// accepted, each until it could no longer be accepted anyway, so that each
// is accepted once (db.SAMLReplayStore). The index serves the cleanup
// job's sweep of expired rows.
func upSAMLReplay(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE saml_assertions (
			tenant_id {uuid} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
			assertion_id TEXT NOT NULL,
			expires_at {time} NOT NULL,
			PRIMARY KEY (tenant_id, assertion_id)
		)`,
		`CREATE INDEX saml_assertions_expires_at_idx ON saml_assertions (expires_at)`,
	)
}
