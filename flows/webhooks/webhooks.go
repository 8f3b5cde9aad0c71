// Package webhooks is the rules of a tenant's webhook endpoints, which the
// management API (and through it the console) calls: what URL and events an
// endpoint may have, its signing secret (made here, shown once, rotated
// here), and the test event. The deliveries themselves are
// internal/webhook's (enqueued with the audit events) and jobs'
// (WebhookDeliveryWorker).
package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/webhook"
	"github.com/sesame-id/sesame/tenants"
)

// Limits on an endpoint.
const (
	// MaxEndpoints is the most endpoints a tenant may have.
	MaxEndpoints = 10
	// MaxURLLen bounds an endpoint's URL.
	MaxURLLen = 2048
	// TestEvent is the type of the event "Send a test event" delivers.
	TestEvent = "webhook.test"
)

// Service applies the rules. Jobs enqueues the test event's delivery.
type Service struct {
	Deps flows.Deps
}

// Spec is what an administrator sets on an endpoint.
type Spec struct {
	URL     string
	Events  []string
	Enabled bool
}

// check returns the endpoint's URL and events as stored, or the input
// error naming the field.
func (sp Spec) check() (string, string, error) {
	raw, err := flows.CleanText("url", sp.URL, MaxURLLen)
	if err != nil {
		return "", "", err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "", "", flows.ErrInvalidInput.WithField("url", "Use an http or https URL with a host, without a user name, password or #fragment.")
	}
	if len(sp.Events) == 0 {
		return "", "", flows.ErrInvalidInput.WithField("events", "Choose at least one event type, or * for all.")
	}
	for _, e := range sp.Events {
		if e != "*" && !slices.Contains(audit.Types, audit.Type(e)) {
			return "", "", flows.ErrInvalidInput.WithField("events", fmt.Sprintf("%q is not an event type; auditEventTypes lists them.", e))
		}
	}
	events := slices.Clone(sp.Events)
	slices.Sort(events)
	return u.String(), strings.Join(slices.Compact(events), ","), nil
}

// Create adds an endpoint with a new secret, returned once.
func (s *Service) Create(ctx context.Context, t *tenants.Tenant, sp Spec) (*db.WebhookEndpoint, string, error) {
	u, events, err := sp.check()
	if err != nil {
		return nil, "", err
	}
	ep := &db.WebhookEndpoint{URL: u, Events: events, Enabled: sp.Enabled, Secret: webhook.NewSecret()}
	err = s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		store := tx.ForTenant(t.ID).Webhooks()
		eps, err := store.Endpoints(ctx)
		if err != nil {
			return err
		}
		if len(eps) >= MaxEndpoints {
			return flows.ErrInvalidInput.WithField("url", fmt.Sprintf("A tenant has at most %d webhook endpoints; remove one first.", MaxEndpoints))
		}
		if err := store.SaveEndpoint(ctx, ep, s.Deps.Clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, t, audit.WebhookCreated, ep.ID, nil, endpointView(ep))
	})
	if err != nil {
		return nil, "", err
	}
	return ep, ep.Secret, nil
}

// Update changes an endpoint's URL, events and switch; its secret stays.
func (s *Service) Update(ctx context.Context, t *tenants.Tenant, id uuid.UUID, sp Spec) (*db.WebhookEndpoint, error) {
	u, events, err := sp.check()
	if err != nil {
		return nil, err
	}
	return s.edit(ctx, t, id, func(ep *db.WebhookEndpoint) map[string]any {
		ep.URL, ep.Events, ep.Enabled = u, events, sp.Enabled
		return endpointView(ep)
	})
}

// RotateSecret gives an endpoint a new secret, returned once. The old one
// signs nothing from the moment this commits: every attempt signs with the
// secret the endpoint has when it is made.
func (s *Service) RotateSecret(ctx context.Context, t *tenants.Tenant, id uuid.UUID) (*db.WebhookEndpoint, string, error) {
	secret := webhook.NewSecret()
	ep, err := s.edit(ctx, t, id, func(ep *db.WebhookEndpoint) map[string]any {
		ep.Secret = secret
		return map[string]any{"rotated": true}
	})
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// edit applies change to endpoint id and records webhook.updated with what
// change returns as after, in one transaction.
func (s *Service) edit(ctx context.Context, t *tenants.Tenant, id uuid.UUID, change func(*db.WebhookEndpoint) map[string]any) (*db.WebhookEndpoint, error) {
	var ep *db.WebhookEndpoint
	err := s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		store := tx.ForTenant(t.ID).Webhooks()
		var err error
		if ep, err = store.Endpoint(ctx, id); err != nil {
			return err
		}
		before := endpointView(ep)
		after := change(ep)
		if err := store.SaveEndpoint(ctx, ep, s.Deps.Clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, t, audit.WebhookUpdated, ep.ID, before, after)
	})
	return ep, err
}

// Delete removes an endpoint and its delivery log.
func (s *Service) Delete(ctx context.Context, t *tenants.Tenant, id uuid.UUID) error {
	return s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.ForTenant(t.ID).Webhooks().DeleteEndpoint(ctx, id, s.Deps.Clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, t, audit.WebhookDeleted, id, nil, nil)
	})
}

// record writes an endpoint's change in the tenant's audit log, in the
// change's transaction.
func (s *Service) record(ctx context.Context, tx *db.Tx, t *tenants.Tenant, typ audit.Type, id uuid.UUID, before, after map[string]any) error {
	return flows.RecordAudit(ctx, tx.ForTenant(t.ID), t, s.Deps.Jobs, s.Deps.Clock.Now(), audit.Event{Type: typ, Target: id.String(), Before: before, After: after})
}

// endpointView is what the audit log keeps of an endpoint: the URL's
// scheme and host (its path or query may carry a receiver's token), the
// event types and the switch; never its secret.
func endpointView(ep *db.WebhookEndpoint) map[string]any {
	host := ""
	if u, err := url.Parse(ep.URL); err == nil {
		host = u.Scheme + "://" + u.Host
	}
	return map[string]any{"url_host": host, "events": ep.Events, "enabled": ep.Enabled}
}

// SendTest delivers a test event (type TestEvent, no user) to one
// endpoint, enabled or not, through the same job as the real ones, and
// returns its delivery.
func (s *Service) SendTest(ctx context.Context, t *tenants.Tenant, id uuid.UUID) (*db.WebhookDelivery, error) {
	if s.Deps.Jobs == nil {
		return nil, fmt.Errorf("send a test webhook: no job inserter configured")
	}
	now := s.Deps.Clock.Now().UTC()
	eventID := uuid.Must(uuid.NewV7())
	body, err := json.Marshal(webhook.Payload{ID: eventID.String(), Type: TestEvent, OccurredAt: now, Actor: audit.OriginFrom(ctx).Actor, Result: audit.Success, Details: json.RawMessage("{}")})
	if err != nil {
		return nil, fmt.Errorf("encode test webhook: %w", err)
	}
	d := &db.WebhookDelivery{EndpointID: id, EventID: eventID, EventType: TestEvent, Payload: string(body), Status: db.DeliveryPending,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(t.Settings.Account.AuditRetention())}
	err = s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		store := tx.ForTenant(t.ID).Webhooks()
		if _, err := store.Endpoint(ctx, id); err != nil {
			return err
		}
		if err := store.CreateDeliveries(ctx, []*db.WebhookDelivery{d}); err != nil {
			return err
		}
		_, err := s.Deps.Jobs.InsertTx(ctx, tx.SQL(), webhook.DeliveryArgs{TenantID: t.ID.String(), DeliveryID: d.ID.String()}, &river.InsertOpts{MaxAttempts: webhook.MaxAttempts})
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
