package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upInit creates tenants, their custom domains and persisted flows.
func upInit(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE tenants (
			id {uuid} PRIMARY KEY,
			slug TEXT NOT NULL,
			name TEXT NOT NULL,
			settings {json} NOT NULL,
			settings_version BIGINT NOT NULL DEFAULT 1,
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			CONSTRAINT tenants_slug_key UNIQUE (slug)
		)`,
		// A hostname routes to one tenant, so a verified hostname is unique
		// across tenants; an unverified claim is unique only per tenant, so
		// nobody can squat a domain by claiming it first.
		`CREATE TABLE domains (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			hostname TEXT NOT NULL,
			verified_at {time},
			created_at {time} NOT NULL,
			CONSTRAINT domains_tenant_hostname_key UNIQUE (tenant_id, hostname)
		)`,
		`CREATE UNIQUE INDEX domains_verified_hostname_key ON domains (hostname) WHERE verified_at IS NOT NULL`,
		`CREATE TABLE flows (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			kind TEXT NOT NULL,
			state TEXT NOT NULL,
			version BIGINT NOT NULL DEFAULT 1,
			context {json} NOT NULL,
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX flows_tenant_id_idx ON flows (tenant_id)`,
		`CREATE INDEX flows_expires_at_idx ON flows (expires_at)`,
	)
}
