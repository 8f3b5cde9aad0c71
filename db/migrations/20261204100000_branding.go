package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upBranding adds tenant logos: one picture per tenant, stored in the
// database so every server process serves it without shared files.
// version is the SHA-256 of data in hex, the logo's URL's cache key.
func upBranding(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE tenant_logos (
			tenant_id {uuid} PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
			content_type TEXT NOT NULL,
			data {bytes} NOT NULL,
			version TEXT NOT NULL,
			width INTEGER NOT NULL,
			height INTEGER NOT NULL,
			updated_at {time} NOT NULL
		)`,
	)
}
