package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Domain is a custom hostname a tenant serves its pages on, besides
// {slug}.{base domain}. Only a verified domain routes to the tenant.
type Domain struct {
	bun.BaseModel `bun:"table:domains"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID   uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	Hostname   string     `bun:"hostname,notnull"`
	VerifiedAt *time.Time `bun:"verified_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
}

// DomainStore manages one tenant's custom domains.
type DomainStore struct{ s Scope }

// Domains returns the scope's domain store.
func (s Scope) Domains() DomainStore { return DomainStore{s: s} }

// Add records hostname (normalized) as an unverified domain of the tenant.
// The same hostname twice for one tenant returns ErrDuplicate.
func (ds DomainStore) Add(ctx context.Context, hostname string) (*Domain, error) {
	if err := ds.s.check(); err != nil {
		return nil, err
	}
	d := &Domain{
		ID:        uuid.Must(uuid.NewV7()),
		TenantID:  ds.s.tenant,
		Hostname:  NormalizeHostname(hostname),
		CreatedAt: time.Now().UTC(),
	}
	if _, err := ds.s.idb.NewInsert().Model(d).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("domain %q: %w", d.Hostname, ErrDuplicate)
		}
		return nil, fmt.Errorf("add domain %q: %w", d.Hostname, err)
	}
	tenantWritten(ds.s.tx, ds.s.watch)
	return d, nil
}

// MarkVerified marks the tenant's domain hostname verified at now, which
// makes it route to the tenant. A hostname already verified by another
// tenant returns ErrDuplicate; a hostname this tenant has not added returns
// ErrNotFound.
func (ds DomainStore) MarkVerified(ctx context.Context, hostname string, now time.Time) error {
	if err := ds.s.check(); err != nil {
		return err
	}
	host := NormalizeHostname(hostname)
	res, err := ds.s.idb.NewUpdate().Model((*Domain)(nil)).
		Set("verified_at = ?", now.UTC()).
		Where("tenant_id = ?", ds.s.tenant).
		Where("hostname = ?", host).
		Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("domain %q is verified by another tenant: %w", host, ErrDuplicate)
		}
		return fmt.Errorf("verify domain %q: %w", host, err)
	}
	tenantWritten(ds.s.tx, ds.s.watch)
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("domain %q: %w", host, ErrNotFound)
	}
	return nil
}

// List returns the tenant's domains ordered by hostname.
func (ds DomainStore) List(ctx context.Context) ([]*Domain, error) {
	if err := ds.s.check(); err != nil {
		return nil, err
	}
	var out []*Domain
	err := ds.s.idb.NewSelect().Model(&out).
		Where("tenant_id = ?", ds.s.tenant).
		Order("hostname").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return out, nil
}

// Remove deletes the tenant's domain hostname, or returns ErrNotFound.
func (ds DomainStore) Remove(ctx context.Context, hostname string) error {
	if err := ds.s.check(); err != nil {
		return err
	}
	host := NormalizeHostname(hostname)
	res, err := ds.s.idb.NewDelete().Model((*Domain)(nil)).
		Where("tenant_id = ?", ds.s.tenant).
		Where("hostname = ?", host).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove domain %q: %w", host, err)
	}
	tenantWritten(ds.s.tx, ds.s.watch)
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("domain %q: %w", host, ErrNotFound)
	}
	return nil
}
