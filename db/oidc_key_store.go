package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCSigningKey is one of a tenant's token signing keys. SealedKey is the
// private key encrypted by the caller (the store never sees it in clear).
// A key without RetiredAt signs; a retired one is still published until
// its tokens have expired.
type OIDCSigningKey struct {
	bun.BaseModel `bun:"table:oidc_signing_keys,alias:sk"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	Alg       string     `bun:"alg,notnull"`
	SealedKey []byte     `bun:"sealed_key,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	RetiredAt *time.Time `bun:"retired_at"`
}

// OIDCKeyStore keeps one tenant's signing keys.
type OIDCKeyStore struct{ s Scope }

// OIDCKeys returns the scope's signing key store.
func (s Scope) OIDCKeys() OIDCKeyStore { return OIDCKeyStore{s: s} }

// Create stores k as the tenant's signing key for its algorithm. When the
// tenant already has one (another server made it first) it returns
// ErrDuplicate.
func (ks OIDCKeyStore) Create(ctx context.Context, k *OIDCSigningKey) error {
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
			return fmt.Errorf("%s signing key: %w", k.Alg, ErrDuplicate)
		}
		return fmt.Errorf("create signing key: %w", err)
	}
	return nil
}

// Published returns the keys to publish at now: every unretired key and
// those retired after retiredSince, newest first.
func (ks OIDCKeyStore) Published(ctx context.Context, retiredSince time.Time) ([]*OIDCSigningKey, error) {
	if err := ks.s.check(); err != nil {
		return nil, err
	}
	var out []*OIDCSigningKey
	err := ks.s.idb.NewSelect().Model(&out).
		Where("sk.tenant_id = ?", ks.s.tenant).
		Where("(sk.retired_at IS NULL OR sk.retired_at > ?)", retiredSince.UTC()).
		OrderExpr("sk.created_at DESC, sk.id DESC").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return out, nil
}

// Retire stops the tenant's current key of alg signing, at now; it stays
// published (Published) for the overlap the caller chooses. Retiring when
// there is no current key is not an error.
func (ks OIDCKeyStore) Retire(ctx context.Context, alg string, now time.Time) error {
	if err := ks.s.check(); err != nil {
		return err
	}
	_, err := ks.s.idb.NewUpdate().Model((*OIDCSigningKey)(nil)).
		Set("retired_at = ?", now.UTC()).
		Where("tenant_id = ?", ks.s.tenant).
		Where("alg = ?", alg).
		Where("retired_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("retire %s signing key: %w", alg, err)
	}
	return nil
}
