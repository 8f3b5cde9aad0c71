package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upFederation adds federation: a tenant's connectors to upstream identity
// providers (kind social or enterprise, type oidc or saml; the settings as
// JSON, the client secret apart and never read back by the APIs), and the
// upstream identities linked to users: one per (connector, subject), so an
// upstream account signs in to one user. Deleting the connector or the
// user deletes the link.
func upFederation(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE federation_connectors (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			name TEXT NOT NULL,
			kind TEXT NOT NULL,
			type TEXT NOT NULL,
			domains TEXT NOT NULL,
			settings {json} NOT NULL,
			client_secret TEXT NOT NULL,
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			CONSTRAINT federation_connectors_name_key UNIQUE (tenant_id, name),
			CONSTRAINT federation_connectors_tenant_id_key UNIQUE (tenant_id, id)
		)`,
		`CREATE TABLE federated_identities (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			user_id {uuid} NOT NULL,
			connector_id {uuid} NOT NULL,
			subject TEXT NOT NULL,
			email TEXT NOT NULL,
			created_at {time} NOT NULL,
			last_used_at {time} NOT NULL,
			CONSTRAINT federated_identities_subject_key UNIQUE (tenant_id, connector_id, subject),
			CONSTRAINT federated_identities_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
			CONSTRAINT federated_identities_connector_fkey FOREIGN KEY (tenant_id, connector_id) REFERENCES federation_connectors (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX federated_identities_user_idx ON federated_identities (tenant_id, user_id)`,
		`CREATE INDEX federated_identities_connector_idx ON federated_identities (connector_id)`,
	)
}
