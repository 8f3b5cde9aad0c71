package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// APIKey is a tenant management API key. Only its SHA-256 is stored.
type APIKey struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID   uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	Name       string     `bun:"name,notnull"`
	Prefix     string     `bun:"prefix,notnull"`
	KeyHash    []byte     `bun:"key_hash,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}

// APIKeyStore keeps one tenant's API keys.
type APIKeyStore struct{ s Scope }

// APIKeys returns the scope's API key store.
func (s Scope) APIKeys() APIKeyStore { return APIKeyStore{s: s} }

// Create stores k for the scope's tenant.
func (ks APIKeyStore) Create(ctx context.Context, k *APIKey) error {
	if err := ks.s.check(); err != nil {
		return err
	}
	if k.ID == uuid.Nil {
		k.ID = uuid.Must(uuid.NewV7())
	}
	k.TenantID = ks.s.tenant
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now().UTC()
	}
	if _, err := ks.s.idb.NewInsert().Model(k).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("API key: %w", ErrDuplicate)
		}
		return fmt.Errorf("create API key: %w", err)
	}
	return nil
}

// ByHash returns the tenant's unrevoked key with the hash, or ErrNotFound:
// another tenant's key is not found.
func (ks APIKeyStore) ByHash(ctx context.Context, hash []byte) (*APIKey, error) {
	if err := ks.s.check(); err != nil {
		return nil, err
	}
	k := new(APIKey)
	err := ks.s.idb.NewSelect().Model(k).
		Where("k.tenant_id = ?", ks.s.tenant).
		Where("k.key_hash = ?", hash).
		Where("k.revoked_at IS NULL").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "API key")
	}
	return k, nil
}

// List returns the tenant's unrevoked keys, oldest first.
func (ks APIKeyStore) List(ctx context.Context) ([]*APIKey, error) {
	if err := ks.s.check(); err != nil {
		return nil, err
	}
	var out []*APIKey
	err := ks.s.idb.NewSelect().Model(&out).
		Where("k.tenant_id = ?", ks.s.tenant).
		Where("k.revoked_at IS NULL").
		OrderExpr("k.created_at, k.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return out, nil
}

// Touch records that the key was used at now, at most once a minute (a
// key used by a busy integration does not write on every request).
func (ks APIKeyStore) Touch(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ks.s.check(); err != nil {
		return err
	}
	_, err := ks.s.idb.NewUpdate().Model((*APIKey)(nil)).
		Set("last_used_at = ?", now.UTC()).
		Where("tenant_id = ?", ks.s.tenant).
		Where("id = ?", id).
		Where("(last_used_at IS NULL OR last_used_at < ?)", now.Add(-time.Minute).UTC()).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch API key: %w", err)
	}
	return nil
}

// Revoke stops the key working (ErrNotFound when the tenant has no such
// unrevoked key).
func (ks APIKeyStore) Revoke(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ks.s.check(); err != nil {
		return err
	}
	res, err := ks.s.idb.NewUpdate().Model((*APIKey)(nil)).
		Set("revoked_at = ?", now.UTC()).
		Where("tenant_id = ?", ks.s.tenant).
		Where("id = ?", id).
		Where("revoked_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("API key: %w", ErrNotFound)
	}
	return nil
}
