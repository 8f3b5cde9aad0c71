package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upFactors adds what a user proves themself with besides passkeys: a
// password (argon2id), whether 2-step verification is on, a TOTP secret
// with the last accepted time step, and backup codes (hashed).
func upFactors(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE users ADD COLUMN mfa_enabled BOOLEAN NOT NULL DEFAULT FALSE`,
		// The TOTP secret must be readable to compute codes; last_step
		// makes every code single-use.
		`CREATE TABLE totp_factors (
			tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			secret TEXT NOT NULL,
			last_step BIGINT NOT NULL DEFAULT 0,
			confirmed_at {time},
			created_at {time} NOT NULL,
			PRIMARY KEY (tenant_id, user_id),
			CONSTRAINT totp_factors_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE TABLE backup_codes (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			code_hash {bytes} NOT NULL,
			used_at {time},
			created_at {time} NOT NULL,
			CONSTRAINT backup_codes_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX backup_codes_user_idx ON backup_codes (tenant_id, user_id)`,
	)
}
