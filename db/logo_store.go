package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Logo is a tenant's logo: a picture that internal/upload.CheckImage
// accepted, with the content type it found. Version is the SHA-256 of Data
// in hex: it changes with the picture, so a URL carrying it can be cached
// for good.
type Logo struct {
	bun.BaseModel `bun:"table:tenant_logos,alias:lg"`

	TenantID    uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	ContentType string    `bun:"content_type,notnull"`
	Data        []byte    `bun:"data,notnull"`
	Version     string    `bun:"version,notnull"`
	Width       int       `bun:"width,notnull"`
	Height      int       `bun:"height,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
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
	if l.UpdatedAt.IsZero() {
		l.UpdatedAt = time.Now().UTC()
	}
	_, err := ls.s.idb.NewInsert().Model(l).
		On("CONFLICT (tenant_id) DO UPDATE").
		Set("content_type = EXCLUDED.content_type").
		Set("data = EXCLUDED.data").
		Set("version = EXCLUDED.version").
		Set("width = EXCLUDED.width").
		Set("height = EXCLUDED.height").
		Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store logo: %w", err)
	}
	return nil
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
	if !withData {
		q = q.Column("tenant_id", "content_type", "version", "width", "height", "updated_at")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "logo")
	}
	return l, nil
}

// Delete removes the tenant's logo; it reports whether there was one.
func (ls LogoStore) Delete(ctx context.Context) (bool, error) {
	if err := ls.s.check(); err != nil {
		return false, err
	}
	res, err := ls.s.idb.NewDelete().Model((*Logo)(nil)).Where("tenant_id = ?", ls.s.tenant).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("delete logo: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
