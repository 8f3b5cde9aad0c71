package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upAccountProfile marks an account pending deletion: delete_after is when
// the account-deletion job may remove it (NULL: not pending). The index
// serves a sweep of due accounts.
func upAccountProfile(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`ALTER TABLE users ADD COLUMN delete_after {time}`,
		`CREATE INDEX users_delete_after_idx ON users (delete_after) WHERE delete_after IS NOT NULL`,
	)
}
