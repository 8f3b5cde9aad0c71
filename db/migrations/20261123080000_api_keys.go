package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upAPIKeys adds tenant management API keys. Only the SHA-256 of a key is
// stored; prefix is its first characters, shown so a person can tell keys
// apart.
func upAPIKeys(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE api_keys (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			name TEXT NOT NULL,
			prefix TEXT NOT NULL,
			key_hash {bytes} NOT NULL,
			created_at {time} NOT NULL,
			last_used_at {time},
			revoked_at {time},
			CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
		)`,
		`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at)`,
	)
}
