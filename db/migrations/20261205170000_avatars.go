package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upAvatars adds users' avatars: one picture per user, stored like the
// tenants' logos (tenant_logos) so every server process serves it; it goes
// with its user.
func upAvatars(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE user_avatars (
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			content_type TEXT NOT NULL,
			data {bytes} NOT NULL,
			version TEXT NOT NULL,
			width INTEGER NOT NULL,
			height INTEGER NOT NULL,
			updated_at {time} NOT NULL,
			PRIMARY KEY (tenant_id, user_id)
		)`,
	)
}
