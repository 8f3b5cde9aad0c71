package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upOIDC adds what makes each tenant an OpenID Provider: its applications
// (OAuth clients, secrets stored only as SHA-256), its signing keys (private
// keys sealed under the server's key-encryption key), the authorization
// requests in progress (codes stored only as SHA-256) and the access tokens
// issued (opaque: the client holds an encrypted reference, the row holds
// what the token means) and the refresh tokens (stored only as SHA-256).
func upOIDC(ctx context.Context, tx bun.Tx, dialect string) error {
	statements := append(oidcAppsAndKeys(), oidcRequestsAndTokens()...)
	return execAll(ctx, tx, dialect, append(statements, oidcRefreshTokens()...)...)
}

// oidcAppsAndKeys is the applications and signing keys tables.
func oidcAppsAndKeys() []string {
	return []string{
		`CREATE TABLE oidc_apps (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			client_id TEXT NOT NULL,
			name TEXT NOT NULL,
			type TEXT NOT NULL,
			redirect_uris TEXT NOT NULL,
			post_logout_redirect_uris TEXT NOT NULL,
			scopes TEXT NOT NULL,
			access_token_ttl_seconds INTEGER NOT NULL,
			id_token_ttl_seconds INTEGER NOT NULL,
			id_token_alg TEXT NOT NULL,
			first_party BOOLEAN NOT NULL,
			secret_hash {bytes},
			previous_secret_hash {bytes},
			previous_secret_expires_at {time},
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			CONSTRAINT oidc_apps_client_id_key UNIQUE (client_id)
		)`,
		`CREATE INDEX oidc_apps_tenant_idx ON oidc_apps (tenant_id, created_at)`,
		`CREATE TABLE oidc_signing_keys (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			alg TEXT NOT NULL,
			sealed_key {bytes} NOT NULL,
			created_at {time} NOT NULL,
			retired_at {time}
		)`,
		// One signing key per algorithm at a time: of two servers that
		// generate a tenant's first key at once, one insert wins.
		`CREATE UNIQUE INDEX oidc_signing_keys_active_idx ON oidc_signing_keys (tenant_id, alg) WHERE retired_at IS NULL`,
	}
}

// oidcRequestsAndTokens is the authorization requests and access tokens tables.
func oidcRequestsAndTokens() []string {
	return []string{
		`CREATE TABLE oidc_auth_requests (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			client_id TEXT NOT NULL,
			request TEXT NOT NULL,
			binding_hash {bytes} NOT NULL,
			user_id {uuid},
			session_id {uuid},
			amr TEXT NOT NULL,
			auth_time {time},
			code_hash {bytes},
			code_used_at {time},
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			CONSTRAINT oidc_auth_requests_code_hash_key UNIQUE (code_hash),
			CONSTRAINT oidc_auth_requests_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX oidc_auth_requests_expires_idx ON oidc_auth_requests (expires_at)`,
		`CREATE TABLE oidc_tokens (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			client_id TEXT NOT NULL,
			user_id {uuid},
			subject TEXT NOT NULL,
			auth_request_id {uuid},
			scopes TEXT NOT NULL,
			amr TEXT NOT NULL,
			auth_time {time},
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL,
			CONSTRAINT oidc_tokens_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX oidc_tokens_auth_request_idx ON oidc_tokens (auth_request_id)`,
	}
}

// oidcRefreshTokens is the refresh tokens table.
func oidcRefreshTokens() []string {
	return []string{
		// Refresh tokens rotate: each use makes the next of its family (the
		// authorization request that began it); a used one presented again
		// revokes the family.
		`CREATE TABLE oidc_refresh_tokens (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			family_id {uuid} NOT NULL,
			token_hash {bytes} NOT NULL,
			client_id TEXT NOT NULL,
			user_id {uuid} NOT NULL,
			session_id {uuid},
			scopes TEXT NOT NULL,
			amr TEXT NOT NULL,
			auth_time {time},
			created_at {time} NOT NULL,
			used_at {time},
			expires_at {time} NOT NULL,
			CONSTRAINT oidc_refresh_tokens_token_hash_key UNIQUE (token_hash),
			CONSTRAINT oidc_refresh_tokens_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX oidc_refresh_tokens_family_idx ON oidc_refresh_tokens (family_id)`,
		`CREATE INDEX oidc_refresh_tokens_expires_idx ON oidc_refresh_tokens (expires_at)`,
		`CREATE INDEX oidc_tokens_expires_idx ON oidc_tokens (expires_at)`,
	}
}
