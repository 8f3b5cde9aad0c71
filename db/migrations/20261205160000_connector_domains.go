package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upConnectorDomains adds the proof of an enterprise connector's email
// domains: one row per (connector, domain), pending with a random token
// until its TXT record is found, then verified at verified_at. Only a
// verified domain routes users to its connector, and one tenant's domain
// is verified for at most one connector (the partial unique index), which
// holds however many verifications race.
// A connector's rows go with it (ON DELETE CASCADE).
// A connector made before this migration has no rows: its domains are
// pending until proven (flows/federation gives them a token when asked).
func upConnectorDomains(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE connector_domains (
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			connector_id {uuid} NOT NULL,
			domain TEXT NOT NULL,
			token TEXT NOT NULL,
			verified_at {time},
			created_at {time} NOT NULL,
			PRIMARY KEY (tenant_id, connector_id, domain),
			CONSTRAINT connector_domains_connector_fkey FOREIGN KEY (tenant_id, connector_id) REFERENCES federation_connectors (tenant_id, id) ON DELETE CASCADE
		)`,
		`CREATE UNIQUE INDEX connector_domains_verified_key ON connector_domains (tenant_id, domain) WHERE verified_at IS NOT NULL`,
	)
}
