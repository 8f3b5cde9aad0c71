package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Tenant is a tenants row: one customer product with its own hosts, users
// and settings. Settings is the tenant's settings document as JSON; the
// tenants package owns its shape.
type Tenant struct {
	bun.BaseModel `bun:"table:tenants"`

	ID              uuid.UUID `bun:"id,pk,type:uuid"`
	Slug            string    `bun:"slug,notnull"`
	Name            string    `bun:"name,notnull"`
	Settings        string    `bun:"settings,notnull"`
	SettingsVersion int64     `bun:"settings_version,notnull"`
	// WebhookEvents is the union of the event types the tenant's enabled
	// webhook endpoints want, comma-separated ("*" all, "" none), kept by
	// WebhookStore.
	WebhookEvents string    `bun:"webhook_events,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

// TenantStore is the directory of tenants. It is not tenant-scoped: it is
// how a tenant is found in the first place (by slug, id or host). A
// tenant's own data is reached through ForTenant.
type TenantStore struct {
	idb   bun.IDB
	tx    *Tx
	watch *tenantWatch
}

// Tenants returns the tenant directory.
func (d *DB) Tenants() TenantStore { return TenantStore{idb: d.bun, watch: d.watch} }

// Tenants returns the tenant directory inside this transaction.
func (t *Tx) Tenants() TenantStore { return TenantStore{idb: t.tx, tx: t, watch: t.watch} }

// Create inserts t, giving it an id and timestamps when unset. A taken slug
// returns ErrDuplicate.
func (s TenantStore) Create(ctx context.Context, t *Tenant) error {
	if t.ID == uuid.Nil {
		t.ID = uuid.Must(uuid.NewV7())
	}
	now := time.Now().UTC()
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	t.UpdatedAt = t.CreatedAt
	if t.SettingsVersion == 0 {
		t.SettingsVersion = 1
	}
	if _, err := s.idb.NewInsert().Model(t).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("tenant slug %q: %w", t.Slug, ErrDuplicate)
		}
		return fmt.Errorf("insert tenant %q: %w", t.Slug, err)
	}
	tenantWritten(s.tx, s.watch)
	return nil
}

// ByID returns the tenant with id, or ErrNotFound.
func (s TenantStore) ByID(ctx context.Context, id uuid.UUID) (*Tenant, error) {
	t := new(Tenant)
	if err := s.idb.NewSelect().Model(t).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "tenant %s", id)
	}
	return t, nil
}

// BySlug returns the tenant with slug, or ErrNotFound.
func (s TenantStore) BySlug(ctx context.Context, slug string) (*Tenant, error) {
	t := new(Tenant)
	if err := s.idb.NewSelect().Model(t).Where("slug = ?", slug).Scan(ctx); err != nil {
		return nil, notFound(err, "tenant %q", slug)
	}
	return t, nil
}

// ByHostname returns the tenant that owns the verified custom domain
// hostname (lowercase, no port), or ErrNotFound. One statement.
func (s TenantStore) ByHostname(ctx context.Context, hostname string) (*Tenant, error) {
	t := new(Tenant)
	err := s.idb.NewSelect().Model(t).
		Join("JOIN domains AS d ON d.tenant_id = tenant.id").
		Where("d.hostname = ?", hostname).
		Where("d.verified_at IS NOT NULL").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "tenant for host %q", hostname)
	}
	return t, nil
}

// List returns every tenant ordered by slug.
func (s TenantStore) List(ctx context.Context) ([]*Tenant, error) {
	var ts []*Tenant
	if err := s.idb.NewSelect().Model(&ts).Order("slug").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ts, nil
}

// notFound turns sql.ErrNoRows into ErrNotFound and wraps anything else.
func notFound(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("load %s: %w", what, err)
}

// NormalizeHostname lowercases host and strips a port and a trailing dot.
func NormalizeHostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}
