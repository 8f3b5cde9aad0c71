package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upOIDCBackchannel adds back-channel logout (OpenID Connect Back-Channel
// Logout 1.0): an application's back-channel logout URI and whether it
// needs sid in the logout token; the session each access token was issued
// in (so a session's end revokes its tokens); and which applications took
// part in a session, under which issuer, so that its end reaches each of
// them. Tokens are also found by client, for an application's deletion.
func upOIDCBackchannel(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`ALTER TABLE oidc_apps ADD COLUMN backchannel_logout_uri TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE oidc_apps ADD COLUMN backchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE oidc_tokens ADD COLUMN session_id {uuid}`,
		`CREATE INDEX oidc_tokens_session_idx ON oidc_tokens (tenant_id, session_id)`,
		`CREATE INDEX oidc_tokens_client_idx ON oidc_tokens (tenant_id, client_id)`,
		`CREATE INDEX oidc_auth_requests_session_idx ON oidc_auth_requests (tenant_id, session_id)`,
		`CREATE INDEX oidc_refresh_tokens_session_idx ON oidc_refresh_tokens (tenant_id, session_id)`,
		`CREATE INDEX oidc_refresh_tokens_client_idx ON oidc_refresh_tokens (tenant_id, client_id)`,
		// One row per application and session it took part in; the
		// session's end takes them. expires_at bounds a row by the
		// session's lifetime, for cleanup.
		`CREATE TABLE oidc_session_clients (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			session_id {uuid} NOT NULL,
			client_id TEXT NOT NULL,
			user_id {uuid} NOT NULL,
			issuer TEXT NOT NULL,
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			CONSTRAINT oidc_session_clients_key UNIQUE (tenant_id, session_id, client_id),
			CONSTRAINT oidc_session_clients_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX oidc_session_clients_expires_idx ON oidc_session_clients (expires_at)`,
		`CREATE INDEX oidc_session_clients_client_idx ON oidc_session_clients (tenant_id, client_id)`,
	)
}
