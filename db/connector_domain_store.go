package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ConnectorDomain is one email domain of an enterprise connector and its
// proof: pending with Token until the TXT record carrying it is found,
// then verified at VerifiedAt. Only a verified domain routes users to its
// connector; one tenant's domain is verified for at most one connector.
type ConnectorDomain struct {
	bun.BaseModel `bun:"table:connector_domains,alias:cd"`

	TenantID    uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ConnectorID uuid.UUID  `bun:"connector_id,pk,type:uuid"`
	Domain      string     `bun:"domain,pk"`
	Token       string     `bun:"token,notnull"`
	VerifiedAt  *time.Time `bun:"verified_at"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
}

// ConnectorDomainStore keeps one tenant's connector domains.
type ConnectorDomainStore struct{ s Scope }

// ConnectorDomains returns the scope's connector-domain store.
func (s Scope) ConnectorDomains() ConnectorDomainStore { return ConnectorDomainStore{s: s} }

// Add records each of rows for the scope's tenant unless the connector
// already has that domain (the existing row, its token and state, stay).
func (ds ConnectorDomainStore) Add(ctx context.Context, rows []*ConnectorDomain, now time.Time) error {
	if err := ds.s.check(); err != nil {
		return err
	}
	for _, r := range rows {
		r.TenantID, r.CreatedAt = ds.s.tenant, now.UTC()
		if _, err := ds.s.idb.NewInsert().Model(r).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("add connector domain %q: %w", r.Domain, err)
		}
	}
	return nil
}

// List returns the tenant's connector domains by domain; with a connector
// id, only that connector's.
func (ds ConnectorDomainStore) List(ctx context.Context, connector uuid.UUID) ([]*ConnectorDomain, error) {
	if err := ds.s.check(); err != nil {
		return nil, err
	}
	out := []*ConnectorDomain{}
	q := ds.s.idb.NewSelect().Model(&out).Where("cd.tenant_id = ?", ds.s.tenant)
	if connector != uuid.Nil {
		q = q.Where("cd.connector_id = ?", connector)
	}
	if err := q.OrderExpr("cd.domain, cd.connector_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list connector domains: %w", err)
	}
	return out, nil
}

// Verified returns the row that has domain verified for one of the
// tenant's connectors, or ErrNotFound.
func (ds ConnectorDomainStore) Verified(ctx context.Context, domain string) (*ConnectorDomain, error) {
	if err := ds.s.check(); err != nil {
		return nil, err
	}
	r := new(ConnectorDomain)
	err := ds.s.idb.NewSelect().Model(r).
		Where("cd.tenant_id = ?", ds.s.tenant).
		Where("cd.domain = ?", domain).
		Where("cd.verified_at IS NOT NULL").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "verified domain %q", domain)
	}
	return r, nil
}

// MarkVerified marks the connector's pending domain verified at now. The
// domain verified for another of the tenant's connectors returns
// ErrDuplicate (the unique index decides among racing verifications); a
// domain the connector does not have returns ErrNotFound; one already
// verified for this connector stays as it was.
func (ds ConnectorDomainStore) MarkVerified(ctx context.Context, connector uuid.UUID, domain string, now time.Time) error {
	if err := ds.s.check(); err != nil {
		return err
	}
	var n int64
	// The savepoint keeps a caller's PostgreSQL transaction usable after
	// a unique violation.
	err := ds.s.idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*ConnectorDomain)(nil)).
			Set("verified_at = ?", now.UTC()).
			Where("tenant_id = ?", ds.s.tenant).
			Where("connector_id = ?", connector).
			Where("domain = ?", domain).
			Where("verified_at IS NULL").
			Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("domain %q is verified for another connector: %w", domain, ErrDuplicate)
		}
		return fmt.Errorf("verify connector domain %q: %w", domain, err)
	}
	if n > 0 {
		return nil
	}
	rows, err := ds.List(ctx, connector)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Domain == domain {
			return nil
		}
	}
	return fmt.Errorf("connector domain %q: %w", domain, ErrNotFound)
}

// Remove deletes the connector's domain, pending or verified: it routes
// nobody to the connector any more and is free for another to prove.
// Removing a domain the connector does not have does nothing.
func (ds ConnectorDomainStore) Remove(ctx context.Context, connector uuid.UUID, domain string) error {
	if err := ds.s.check(); err != nil {
		return err
	}
	_, err := ds.s.idb.NewDelete().Model((*ConnectorDomain)(nil)).
		Where("tenant_id = ?", ds.s.tenant).
		Where("connector_id = ?", connector).
		Where("domain = ?", domain).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove connector domain %q: %w", domain, err)
	}
	return nil
}
