package admin

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// outboxMessage is one development outbox message as the console lists it.
type outboxMessage struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	To      string    `json:"to"`
	Subject string    `json:"subject,omitempty"`
	Body    string    `json:"body"`
	SentAt  time.Time `json:"sent_at"`
}

// outboxOf returns the development outbox's messages the administrator
// may read: a platform owner every message, a member those of the tenants
// they manage.
func (a *Handler) outboxOf(r *http.Request, t *tenants.Tenant, ad *administrator) ([]delivery.OutboxMessage, error) {
	msgs := a.Outbox.Messages()
	if ad.owner() {
		return msgs, nil
	}
	ts, err := a.managed(r.Context(), t, ad)
	if err != nil {
		return nil, err
	}
	mine := map[uuid.UUID]bool{}
	for _, t := range ts {
		mine[t.id] = true
	}
	out := []delivery.OutboxMessage{}
	for _, m := range msgs {
		if m.TenantID != uuid.Nil && mine[m.TenantID] {
			out = append(out, m)
		}
	}
	return out, nil
}

// listOutbox lists the development outbox messages the administrator may
// read (outboxOf).
func (a *Handler) listOutbox(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ad, err := a.checkAPI(r, t)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	msgs, err := a.outboxOf(r, t, ad)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	out := []outboxMessage{}
	for _, m := range msgs {
		out = append(out, outboxMessage{ID: m.ID, Kind: string(m.Kind), To: m.To, Subject: m.Subject, Body: m.Body, SentAt: m.SentAt})
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// outboxPage shows the development outbox messages the administrator may
// read as a page; the base host's /dev/outbox leads here.
func (a *Handler) outboxPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ad, ok := a.pageAdministrator(w, r, t)
	if !ok {
		return
	}
	msgs, err := a.outboxOf(r, t, ad)
	if err != nil {
		a.Logger.ErrorContext(r.Context(), "development outbox", "err", err)
		http.Error(w, "Something went wrong on our side. Try again in a moment.", http.StatusInternalServerError)
		return
	}
	views := []console.OutboxMessageView{}
	for _, m := range msgs {
		views = append(views, console.OutboxMessageView{Kind: string(m.Kind), To: m.To, Subject: m.Subject, Body: m.Body, SentAt: m.SentAt})
	}
	a.Pages.DevOutbox(w, r, views)
}
