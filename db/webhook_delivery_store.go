package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// CreateDeliveries inserts deliveries in one statement, stamping the
// tenant.
func (ws WebhookStore) CreateDeliveries(ctx context.Context, ds []*WebhookDelivery) error {
	if err := ws.s.check(); err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	for _, d := range ds {
		d.TenantID = ws.s.tenant
		if d.ID == uuid.Nil {
			d.ID = uuid.Must(uuid.NewV7())
		}
	}
	if _, err := ws.s.idb.NewInsert().Model(&ds).Exec(ctx); err != nil {
		return fmt.Errorf("create webhook deliveries: %w", err)
	}
	return nil
}

// Delivery returns one delivery, or ErrNotFound.
func (ws WebhookStore) Delivery(ctx context.Context, id uuid.UUID) (*WebhookDelivery, error) {
	if err := ws.s.check(); err != nil {
		return nil, err
	}
	d := new(WebhookDelivery)
	if err := ws.s.idb.NewSelect().Model(d).Where("wd.tenant_id = ?", ws.s.tenant).Where("wd.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "webhook delivery")
	}
	return d, nil
}

// EarlierPending reports whether an earlier delivery to the same endpoint
// about the same user is still pending: the later one waits for it, so a
// receiver gets one user's events in order.
func (ws WebhookStore) EarlierPending(ctx context.Context, d *WebhookDelivery) (bool, error) {
	if err := ws.s.check(); err != nil {
		return false, err
	}
	if d.UserID == nil {
		return false, nil
	}
	n, err := ws.s.idb.NewSelect().Model((*WebhookDelivery)(nil)).
		Where("wd.tenant_id = ?", ws.s.tenant).Where("wd.endpoint_id = ?", d.EndpointID).
		Where("wd.user_id = ?", *d.UserID).Where("wd.status = ?", DeliveryPending).
		Where("wd.id < ?", d.ID).Limit(1).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("earlier webhook deliveries: %w", err)
	}
	return n > 0, nil
}

// RecordAttempt stores the outcome of an attempt on delivery d.
func (ws WebhookStore) RecordAttempt(ctx context.Context, d *WebhookDelivery, now time.Time) error {
	if err := ws.s.check(); err != nil {
		return err
	}
	d.UpdatedAt = now.UTC()
	_, err := ws.s.idb.NewUpdate().Model(d).Column("status", "attempts", "response_code", "error", "updated_at").
		Where("tenant_id = ?", ws.s.tenant).Where("id = ?", d.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

// DeliveryPage asks for one page of an endpoint's deliveries, newest
// first.
type DeliveryPage struct {
	EndpointID uuid.UUID
	Limit      int
	After      *uuid.UUID
}

// Deliveries returns a page of an endpoint's delivery log and whether more
// follow.
func (ws WebhookStore) Deliveries(ctx context.Context, p DeliveryPage) ([]*WebhookDelivery, bool, error) {
	if err := ws.s.check(); err != nil {
		return nil, false, err
	}
	if p.Limit < 1 || p.Limit > 100 {
		return nil, false, fmt.Errorf("list webhook deliveries: limit %d is outside 1–100", p.Limit)
	}
	var out []*WebhookDelivery
	q := ws.s.idb.NewSelect().Model(&out).Where("wd.tenant_id = ?", ws.s.tenant).
		Where("wd.endpoint_id = ?", p.EndpointID).OrderExpr("wd.id DESC").Limit(int64(p.Limit + 1))
	if p.After != nil {
		q = q.Where("wd.id < ?", *p.After)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list webhook deliveries: %w", err)
	}
	more := len(out) > p.Limit
	if more {
		out = out[:p.Limit]
	}
	return out, more, nil
}
