package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upWebhooks adds the tenants' webhooks. webhook_endpoints holds each
// endpoint with its signing secret, kept as is because HMAC needs it (as the
// tenant's provider secrets are); events is a comma-separated list of audit
// event types, "*" for all. webhook_deliveries is the delivery log: one row
// per event and endpoint, its payload fixed when the event is recorded (so
// every retry sends the same bytes), its status, attempts, last response
// code and error. tenants.webhook_events is the union of the enabled
// endpoints' event types, kept by the endpoint store, so a tenant's cached
// row tells whether an event needs a delivery without a statement.
func upWebhooks(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE webhook_endpoints (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			url TEXT NOT NULL,
			events TEXT NOT NULL,
			enabled BOOLEAN NOT NULL,
			secret TEXT NOT NULL,
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL
		)`,
		`CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id)`,
		`CREATE TABLE webhook_deliveries (
			id {uuid} PRIMARY KEY,
			tenant_id {uuid} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			endpoint_id {uuid} NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
			event_id {uuid} NOT NULL,
			event_type TEXT NOT NULL,
			user_id {uuid},
			payload TEXT NOT NULL,
			status TEXT NOT NULL,
			attempts INTEGER NOT NULL,
			response_code INTEGER NOT NULL,
			error TEXT NOT NULL,
			created_at {time} NOT NULL,
			updated_at {time} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, id)`,
		`CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, user_id, status, id)`,
		`CREATE INDEX webhook_deliveries_expires_idx ON webhook_deliveries (expires_at)`,
		`ALTER TABLE tenants ADD COLUMN webhook_events TEXT NOT NULL DEFAULT ''`,
	)
}
