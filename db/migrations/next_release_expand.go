//go:build sesame_next_expand || sesame_next_contract

package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// This file is compiled only into the cluster test's "next release"
// binaries: an expand step, additive, that a server of this release keeps
// serving through.
func init() {
	next = append(next, Migration{Version: "29990101000000_next_expand", Up: upNextExpand, Additive: true})
}

func upNextExpand(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`ALTER TABLE users ADD COLUMN next_nickname TEXT`,
		`CREATE TABLE next_notes (id {uuid} PRIMARY KEY, body TEXT NOT NULL)`,
	)
}
