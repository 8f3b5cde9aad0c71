package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
)

// Payload is the JSON body of a delivery: the audit event as the API shows
// it.
type Payload struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	UserID     *string         `json:"user_id"`
	Actor      string          `json:"actor"`
	Method     string          `json:"method,omitempty"`
	AMR        string          `json:"amr,omitempty"`
	IP         string          `json:"ip,omitempty"`
	UserAgent  string          `json:"user_agent,omitempty"`
	Result     string          `json:"result"`
	Details    json.RawMessage `json:"details"`
}

// Wanted reports whether any event of events has a type in types (the
// tenant's webhook_events; "*" is all): when none has, Enqueue has nothing
// to do and costs no statement.
func Wanted(types []string, events []*db.AuditEvent) bool {
	if len(types) == 0 {
		return false
	}
	if slices.Contains(types, "*") {
		return true
	}
	return slices.ContainsFunc(events, func(e *db.AuditEvent) bool { return slices.Contains(types, e.Type) })
}

// Enqueue makes the deliveries of events on the scope's transaction (none
// outside one): one
// row per event and enabled endpoint that wants it, and its job. keep is
// how long the delivery log keeps them. Three statements when some
// endpoint wants an event; call it only when Wanted.
func Enqueue(ctx context.Context, scope db.Scope, jobs Inserter, events []*db.AuditEvent, keep time.Duration) error {
	tx := scope.Tx()
	if jobs == nil || tx == nil {
		return nil
	}
	eps, err := scope.Webhooks().Endpoints(ctx)
	if err != nil {
		return err
	}
	var ds []*db.WebhookDelivery
	for _, e := range events {
		body, err := payload(e)
		if err != nil {
			return err
		}
		for _, ep := range eps {
			if !ep.Wants(e.Type) {
				continue
			}
			ds = append(ds, &db.WebhookDelivery{EndpointID: ep.ID, EventID: e.ID, EventType: e.Type, UserID: e.UserID,
				Payload: string(body), Status: db.DeliveryPending, CreatedAt: e.OccurredAt, UpdatedAt: e.OccurredAt,
				ExpiresAt: e.OccurredAt.Add(keep)})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	if err := scope.Webhooks().CreateDeliveries(ctx, ds); err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(ds))
	for i, d := range ds {
		params[i] = river.InsertManyParams{Args: DeliveryArgs{TenantID: d.TenantID.String(), DeliveryID: d.ID.String()}}
	}
	if _, err := jobs.InsertManyTx(ctx, tx.SQL(), params); err != nil {
		return fmt.Errorf("enqueue webhook deliveries: %w", err)
	}
	return nil
}

func payload(e *db.AuditEvent) ([]byte, error) {
	p := Payload{ID: e.ID.String(), Type: e.Type, OccurredAt: e.OccurredAt.UTC(), Actor: e.Actor, Method: e.Method,
		AMR: e.AMR, IP: e.IP, UserAgent: e.UserAgent, Result: e.Result, Details: json.RawMessage(e.Details)}
	if e.UserID != nil {
		s := e.UserID.String()
		p.UserID = &s
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode webhook payload of %s: %w", e.ID, err)
	}
	return b, nil
}
