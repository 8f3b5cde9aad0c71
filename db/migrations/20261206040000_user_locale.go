package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upUserLocale keeps each user's preferred language (en, es, zh-CN): the
// language of the page they signed up on, changed in the account center.
// "" is none: messages then use the tenant's default. An expand step: an
// older binary never reads it and its inserts get the default.
func upUserLocale(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT ''`,
	)
}
