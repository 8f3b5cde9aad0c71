package db

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Logo is a tenant's logo, one Picture per tenant.
type Logo struct {
	bun.BaseModel `bun:"table:tenant_logos,alias:lg"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	Picture
}

// LogoStore keeps one tenant's logo.
type LogoStore struct{ s Scope }

// Logos returns the scope's logo store.
func (s Scope) Logos() LogoStore { return LogoStore{s: s} }

// Put stores l as the tenant's logo, replacing any other.
func (ls LogoStore) Put(ctx context.Context, l *Logo) error {
	if err := ls.s.check(); err != nil {
		return err
	}
	l.TenantID = ls.s.tenant
	return putPicture(ctx, ls.s.idb, l, &l.Picture, "tenant_id")
}

// Get returns the tenant's logo with its picture, or ErrNotFound.
func (ls LogoStore) Get(ctx context.Context) (*Logo, error) {
	return ls.get(ctx, true)
}

// Meta returns the tenant's logo without its picture, or ErrNotFound: what
// a page needs to link it.
func (ls LogoStore) Meta(ctx context.Context) (*Logo, error) {
	return ls.get(ctx, false)
}

func (ls LogoStore) get(ctx context.Context, withData bool) (*Logo, error) {
	if err := ls.s.check(); err != nil {
		return nil, err
	}
	l := new(Logo)
	q := ls.s.idb.NewSelect().Model(l).Where("lg.tenant_id = ?", ls.s.tenant)
	if err := getPicture(ctx, q, withData, "logo"); err != nil {
		return nil, err
	}
	return l, nil
}

// Delete removes the tenant's logo; it reports whether there was one.
func (ls LogoStore) Delete(ctx context.Context) (bool, error) {
	if err := ls.s.check(); err != nil {
		return false, err
	}
	q := ls.s.idb.NewDelete().Model((*Logo)(nil)).Where("tenant_id = ?", ls.s.tenant)
	return deletePicture(ctx, q, "logo")
}
