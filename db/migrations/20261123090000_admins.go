package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upAdmins adds what the console needs: memberships say which tenants an
// administrator (a user of the built-in admin tenant) manages and as
// what; setup links are one-time links that let a new user in once, to
// create a passkey (only a SHA-256 of the link's token is stored).
func upAdmins(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE memberships (
			admin_tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			role TEXT NOT NULL,
			created_at {time} NOT NULL,
			PRIMARY KEY (user_id, tenant_id),
			CONSTRAINT memberships_user_fkey FOREIGN KEY (admin_tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX memberships_tenant_idx ON memberships (tenant_id)`,
		`CREATE TABLE setup_links (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			token_hash {bytes} NOT NULL,
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			used_at {time},
			CONSTRAINT setup_links_token_hash_key UNIQUE (token_hash),
			CONSTRAINT setup_links_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
	)
}
