//go:build sesame_next_contract

package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// This file is compiled only into the cluster test's "release after next"
// binary: a contract step, dropping what the expand step added, which a
// server of this release must not serve through.
func init() {
	next = append(next, Migration{Version: "29990102000000_next_contract", Up: upNextContract})
}

func upNextContract(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`DROP TABLE next_notes`,
	)
}
