package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upRecoveryLinks adds the one-time recovery links an administrator makes
// for a user (flows/recovery): only the token's hash is stored; used_at
// marks it spent, in the statement that spends it.
func upRecoveryLinks(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE recovery_links (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			token_hash {bytes} NOT NULL,
			created_by {uuid},
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			used_at {time},
			CONSTRAINT recovery_links_token_hash_key UNIQUE (token_hash),
			CONSTRAINT recovery_links_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX recovery_links_expires_idx ON recovery_links (expires_at)`,
	)
}
