package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// WebhookEndpoint is a URL a tenant's events are posted to. Secret signs
// the payloads; it is stored as is because HMAC needs it, and no API
// returns it after it was first shown.
type WebhookEndpoint struct {
	bun.BaseModel `bun:"table:webhook_endpoints,alias:we"`

	ID       uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	URL      string    `bun:"url,notnull"`
	// Events is a comma-separated list of audit event types, "*" for all.
	Events    string    `bun:"events,notnull"`
	Enabled   bool      `bun:"enabled,notnull"`
	Secret    string    `bun:"secret,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// Wants reports whether the endpoint takes events of type t.
func (e *WebhookEndpoint) Wants(t string) bool {
	return e.Enabled && slices.ContainsFunc(strings.Split(e.Events, ","), func(s string) bool { return s == "*" || s == t })
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event for one endpoint, and the log of its
// attempts: its status, how many attempts were made, the last response's
// status code (0 when none came) and the last error.
type WebhookDelivery struct {
	bun.BaseModel `bun:"table:webhook_deliveries,alias:wd"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID     uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	EndpointID   uuid.UUID  `bun:"endpoint_id,notnull,type:uuid"`
	EventID      uuid.UUID  `bun:"event_id,notnull,type:uuid"`
	EventType    string     `bun:"event_type,notnull"`
	UserID       *uuid.UUID `bun:"user_id,type:uuid"`
	Payload      string     `bun:"payload,notnull"`
	Status       string     `bun:"status,notnull"`
	Attempts     int        `bun:"attempts,notnull"`
	ResponseCode int        `bun:"response_code,notnull"`
	Error        string     `bun:"error,notnull"`
	CreatedAt    time.Time  `bun:"created_at,notnull"`
	UpdatedAt    time.Time  `bun:"updated_at,notnull"`
	ExpiresAt    time.Time  `bun:"expires_at,notnull"`
}

// WebhookStore keeps one tenant's webhook endpoints and deliveries.
type WebhookStore struct{ s Scope }

// Webhooks returns the scope's webhook store.
func (s Scope) Webhooks() WebhookStore { return WebhookStore{s: s} }

// Endpoints returns the tenant's endpoints, oldest first.
func (ws WebhookStore) Endpoints(ctx context.Context) ([]*WebhookEndpoint, error) {
	if err := ws.s.check(); err != nil {
		return nil, err
	}
	var out []*WebhookEndpoint
	if err := ws.s.idb.NewSelect().Model(&out).Where("we.tenant_id = ?", ws.s.tenant).OrderExpr("we.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	return out, nil
}

// Endpoint returns one endpoint, or ErrNotFound.
func (ws WebhookStore) Endpoint(ctx context.Context, id uuid.UUID) (*WebhookEndpoint, error) {
	if err := ws.s.check(); err != nil {
		return nil, err
	}
	e := new(WebhookEndpoint)
	if err := ws.s.idb.NewSelect().Model(e).Where("we.tenant_id = ?", ws.s.tenant).Where("we.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "webhook endpoint")
	}
	return e, nil
}

// SaveEndpoint inserts e, or updates its URL, events, enabled switch and
// secret, then refreshes the tenant's webhook_events. Run it in a
// transaction: it is two statements.
func (ws WebhookStore) SaveEndpoint(ctx context.Context, e *WebhookEndpoint, now time.Time) error {
	if err := ws.s.check(); err != nil {
		return err
	}
	e.TenantID, e.UpdatedAt = ws.s.tenant, now.UTC()
	if e.ID == uuid.Nil {
		e.ID, e.CreatedAt = uuid.Must(uuid.NewV7()), now.UTC()
		if _, err := ws.s.idb.NewInsert().Model(e).Exec(ctx); err != nil {
			return fmt.Errorf("create webhook endpoint: %w", err)
		}
	} else {
		res, err := ws.s.idb.NewUpdate().Model(e).Column("url", "events", "enabled", "secret", "updated_at").
			Where("tenant_id = ?", ws.s.tenant).Where("id = ?", e.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update webhook endpoint: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("webhook endpoint %s: %w", e.ID, ErrNotFound)
		}
	}
	return ws.refresh(ctx, now)
}

// DeleteEndpoint removes an endpoint with its deliveries.
func (ws WebhookStore) DeleteEndpoint(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ws.s.check(); err != nil {
		return err
	}
	res, err := ws.s.idb.NewDelete().Model((*WebhookEndpoint)(nil)).Where("tenant_id = ?", ws.s.tenant).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("webhook endpoint %s: %w", id, ErrNotFound)
	}
	return ws.refresh(ctx, now)
}

// refresh stores on the tenant row the union of its enabled endpoints'
// event types, which the tenant cache hands to whoever records events.
func (ws WebhookStore) refresh(ctx context.Context, now time.Time) error {
	eps, err := ws.Endpoints(ctx)
	if err != nil {
		return err
	}
	var types []string
	for _, e := range eps {
		if e.Enabled {
			types = append(types, strings.Split(e.Events, ",")...)
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	if slices.Contains(types, "*") {
		types = []string{"*"}
	}
	_, err = ws.s.idb.NewUpdate().Model((*Tenant)(nil)).Set("webhook_events = ?", strings.Join(types, ",")).
		Set("updated_at = ?", now.UTC()).Where("id = ?", ws.s.tenant).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record tenant %s webhook events: %w", ws.s.tenant, err)
	}
	tenantWritten(ws.s.tx, ws.s.watch)
	return nil
}
