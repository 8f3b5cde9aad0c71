// Package tenants holds what a tenant is: its identity, its settings
// document, the rules for its slug, and how an HTTP request's host names it.
package tenants

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// Tenant is one customer product served by Sesame on its own host.
type Tenant struct {
	ID        uuid.UUID
	Slug      string
	Name      string
	CreatedAt time.Time

	// Settings is the tenant's configuration; SettingsVersion is its
	// optimistic-lock version, to pass back when saving.
	Settings        Settings
	SettingsVersion int64

	// WebhookEvents are the audit event types some enabled webhook
	// endpoint of the tenant wants ("*": every type); empty when none.
	WebhookEvents []string
}

func fromRow(row *db.Tenant) (*Tenant, error) {
	settings, err := ParseSettings(row.Settings)
	if err != nil {
		return nil, err
	}
	return &Tenant{
		ID:              row.ID,
		Slug:            row.Slug,
		Name:            row.Name,
		CreatedAt:       row.CreatedAt,
		Settings:        settings,
		SettingsVersion: row.SettingsVersion,
		WebhookEvents:   splitEvents(row.WebhookEvents),
	}, nil
}

type tenantKey struct{}

// WithTenant returns ctx carrying t, the tenant a request is for.
func WithTenant(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

// FromContext returns the request's tenant, if the request came through a
// tenant host.
func FromContext(ctx context.Context) (*Tenant, bool) {
	t, ok := ctx.Value(tenantKey{}).(*Tenant)
	return t, ok && t != nil
}

func splitEvents(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
