package migrations

import (
	"context"
	"slices"

	"github.com/uptrace/bun"
)

// upPasskeys adds users with their identifiers, WebAuthn credentials,
// sessions, and the flow columns that bind a flow to its client and hold
// its single-use WebAuthn ceremony. Rows that belong to a user reference it
// by (tenant_id, user_id), so the database itself refuses a row of one
// tenant that points at another tenant's user.
func upPasskeys(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect, slices.Concat(
		passkeyUserTables(),
		passkeyCredentialTable(),
		passkeySessionTable(),
		passkeyFlowColumns(),
	)...)
}

// passkeyUserTables creates users and their identifiers.
func passkeyUserTables() []string {
	return []string{
		// webauthn_handle is the WebAuthn user handle: random bytes, never
		// personal data, stable for the account's life.
		`CREATE TABLE users (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			webauthn_handle {bytes} NOT NULL,
			display_name TEXT NOT NULL DEFAULT '',
			sso BOOLEAN NOT NULL DEFAULT FALSE,
			disabled_at {time},
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			CONSTRAINT users_tenant_handle_key UNIQUE (tenant_id, webauthn_handle),
			CONSTRAINT users_tenant_id_key UNIQUE (tenant_id, id)
		)`,
		`CREATE TABLE identifiers (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			user_id {uuid} NOT NULL,
			kind TEXT NOT NULL,
			value TEXT NOT NULL,
			verified_at {time},
			created_at {time} NOT NULL,
			CONSTRAINT identifiers_tenant_kind_value_key UNIQUE (tenant_id, kind, value),
			CONSTRAINT identifiers_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX identifiers_user_id_idx ON identifiers (user_id)`,
	}
}

// passkeyCredentialTable creates the WebAuthn credentials.
func passkeyCredentialTable() []string {
	return []string{
		// Credential ids are unique per relying party: a tenant's RP ID.
		`CREATE TABLE webauthn_credentials (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			user_id {uuid} NOT NULL,
			rp_id TEXT NOT NULL,
			credential_id {bytes} NOT NULL,
			public_key {bytes} NOT NULL,
			algorithm INTEGER NOT NULL,
			attestation_type TEXT NOT NULL DEFAULT '',
			attestation_format TEXT NOT NULL DEFAULT '',
			aaguid {bytes},
			sign_count BIGINT NOT NULL DEFAULT 0,
			clone_warning BOOLEAN NOT NULL DEFAULT FALSE,
			transports TEXT NOT NULL DEFAULT '',
			attachment TEXT NOT NULL DEFAULT '',
			user_present BOOLEAN NOT NULL DEFAULT FALSE,
			user_verified BOOLEAN NOT NULL DEFAULT FALSE,
			backup_eligible BOOLEAN NOT NULL DEFAULT FALSE,
			backup_state BOOLEAN NOT NULL DEFAULT FALSE,
			name TEXT NOT NULL,
			created_at {time} NOT NULL,
			last_used_at {time},
			CONSTRAINT webauthn_credentials_rp_credential_key UNIQUE (tenant_id, rp_id, credential_id),
			CONSTRAINT webauthn_credentials_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (tenant_id, user_id)`,
	}
}

// passkeySessionTable creates the sessions.
func passkeySessionTable() []string {
	return []string{
		// token_hash is SHA-256 of the session token; the token itself is
		// never stored.
		`CREATE TABLE sessions (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			user_id {uuid} NOT NULL,
			token_hash {bytes} NOT NULL,
			amr TEXT NOT NULL,
			user_agent TEXT NOT NULL DEFAULT '',
			ip TEXT NOT NULL DEFAULT '',
			created_at {time} NOT NULL,
			verified_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
			CONSTRAINT sessions_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id)`,
		`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`,
	}
}

// passkeyFlowColumns bind a flow to its client and hold its ceremony.
func passkeyFlowColumns() []string {
	return []string{
		// A flow is addressed by a random token (stored hashed) so that
		// holding a flow id alone grants nothing; ceremony holds the
		// go-webauthn session data of the one ceremony in progress.
		`ALTER TABLE flows ADD COLUMN token_hash {bytes}`,
		`ALTER TABLE flows ADD COLUMN ceremony {json}`,
		`ALTER TABLE flows ADD COLUMN ceremony_expires_at {time}`,
		`CREATE UNIQUE INDEX flows_token_hash_key ON flows (token_hash)`,
	}
}
