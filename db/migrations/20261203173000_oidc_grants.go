package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upOIDCGrants adds the consent a user gave an application: one row per
// (tenant, user, application) with the scopes consented. The application's
// row is referenced with its tenant, so a grant cannot name another
// tenant's application, and deleting the user or the application deletes
// the grant.
func upOIDCGrants(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE UNIQUE INDEX oidc_apps_tenant_id_key ON oidc_apps (tenant_id, id)`,
		`CREATE TABLE oidc_grants (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			user_id {uuid} NOT NULL,
			app_id {uuid} NOT NULL,
			scopes TEXT NOT NULL,
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			CONSTRAINT oidc_grants_user_app_key UNIQUE (tenant_id, user_id, app_id),
			CONSTRAINT oidc_grants_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
			CONSTRAINT oidc_grants_app_fkey FOREIGN KEY (tenant_id, app_id) REFERENCES oidc_apps (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX oidc_grants_app_idx ON oidc_grants (app_id)`,
		// Revoking an application's access deletes the user's tokens of
		// that client.
		`CREATE INDEX oidc_tokens_user_client_idx ON oidc_tokens (user_id, client_id)`,
		`CREATE INDEX oidc_refresh_tokens_user_client_idx ON oidc_refresh_tokens (user_id, client_id)`,
	)
}
