package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upCodes adds one-time verification codes (sent by email or SMS) and the
// fixed-window counters behind per-IP and per-tenant rate limits.
func upCodes(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		// code_hash is SHA-256 over the row id and the code: the code itself
		// is never stored. A code is bound to the flow that asked for it.
		`CREATE TABLE verification_codes (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			flow_id {uuid},
			purpose TEXT NOT NULL,
			channel TEXT NOT NULL,
			recipient TEXT NOT NULL,
			code_hash {bytes} NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			max_attempts INTEGER NOT NULL,
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			sent_at {time},
			provider_message_id TEXT NOT NULL DEFAULT '',
			send_failed_at {time},
			send_error TEXT NOT NULL DEFAULT '',
			used_at {time}
		)`,
		`CREATE INDEX verification_codes_recipient_idx ON verification_codes (tenant_id, channel, recipient, created_at)`,
		`CREATE INDEX verification_codes_expires_at_idx ON verification_codes (expires_at)`,
		`CREATE TABLE rate_counters (
			key TEXT NOT NULL,
			window_start {time} NOT NULL,
			count INTEGER NOT NULL,
			expires_at {time} NOT NULL,
			PRIMARY KEY (key, window_start)
		)`,
		`CREATE INDEX rate_counters_expires_at_idx ON rate_counters (expires_at)`,
	)
}
