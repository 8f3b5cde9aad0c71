package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCRefreshToken is a refresh token; only its SHA-256 is stored. Tokens
// of one family descend from one authorization request (FamilyID is its
// id); each use makes the next.
type OIDCRefreshToken struct {
	bun.BaseModel `bun:"table:oidc_refresh_tokens,alias:rt"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	FamilyID  uuid.UUID  `bun:"family_id,notnull,type:uuid"`
	TokenHash []byte     `bun:"token_hash,notnull"`
	ClientID  string     `bun:"client_id,notnull"`
	UserID    uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	SessionID *uuid.UUID `bun:"session_id,type:uuid"`
	Scopes    StringList `bun:"scopes,notnull"`
	AMR       string     `bun:"amr,notnull"`
	AuthTime  *time.Time `bun:"auth_time"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
}

// ErrRefreshReused is returned by Use for a refresh token already used
// before the grace period: its family must be revoked.
var ErrRefreshReused = errors.New("refresh token already used")

// OIDCRefreshTokenStore keeps one tenant's refresh tokens.
type OIDCRefreshTokenStore struct{ s Scope }

// OIDCRefreshTokens returns the scope's refresh token store.
func (s Scope) OIDCRefreshTokens() OIDCRefreshTokenStore { return OIDCRefreshTokenStore{s: s} }

// Create stores t for the scope's tenant; ExpiresAt must be set.
func (rs OIDCRefreshTokenStore) Create(ctx context.Context, t *OIDCRefreshToken) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	if t.ExpiresAt.IsZero() {
		return fmt.Errorf("create refresh token: no expiry set")
	}
	if t.ID == uuid.Nil {
		t.ID = uuid.New()
	}
	t.TenantID = rs.s.tenant
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now().UTC()
	}
	if _, err := rs.s.idb.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("create refresh token: %w", err)
	}
	return nil
}

// Use marks clientID's unexpired refresh token used and returns it, in
// one statement (of two concurrent uses one marks it). A token used less
// than grace ago is returned too (a client's concurrent refreshes); one
// used before that returns ErrRefreshReused with the token. Unknown,
// expired or another client's: ErrNotFound.
func (rs OIDCRefreshTokenStore) Use(ctx context.Context, clientID string, hash []byte, now time.Time, grace time.Duration) (*OIDCRefreshToken, error) {
	if err := rs.s.check(); err != nil {
		return nil, err
	}
	t := new(OIDCRefreshToken)
	err := rs.s.idb.NewUpdate().Model(t).
		Set("used_at = ?", now.UTC()).
		Where("tenant_id = ?", rs.s.tenant).
		Where("client_id = ?", clientID).
		Where("token_hash = ?", hash).
		Where("used_at IS NULL").
		Where("expires_at > ?", now.UTC()).
		Returning("*").
		Scan(ctx)
	if err == nil {
		return t, nil
	}
	if err := notFound(err, "refresh token"); !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	used, err := rs.ByHash(ctx, clientID, hash)
	if err != nil {
		return nil, err
	}
	if used.UsedAt == nil || !used.ExpiresAt.After(now) {
		return nil, fmt.Errorf("refresh token: %w", ErrNotFound)
	}
	if now.Sub(*used.UsedAt) <= grace {
		return used, nil
	}
	return used, fmt.Errorf("refresh token of family %s: %w", used.FamilyID, ErrRefreshReused)
}

// ByHash returns clientID's refresh token with the hash, used or not, or
// ErrNotFound.
func (rs OIDCRefreshTokenStore) ByHash(ctx context.Context, clientID string, hash []byte) (*OIDCRefreshToken, error) {
	if err := rs.s.check(); err != nil {
		return nil, err
	}
	t := new(OIDCRefreshToken)
	err := rs.s.idb.NewSelect().Model(t).
		Where("rt.tenant_id = ?", rs.s.tenant).
		Where("rt.client_id = ?", clientID).
		Where("rt.token_hash = ?", hash).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "refresh token")
	}
	return t, nil
}

// RevokeFamily deletes every refresh token of the family.
func (rs OIDCRefreshTokenStore) RevokeFamily(ctx context.Context, familyID uuid.UUID) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	_, err := rs.s.idb.NewDelete().Model((*OIDCRefreshToken)(nil)).
		Where("tenant_id = ?", rs.s.tenant).
		Where("family_id = ?", familyID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke refresh token family %s: %w", familyID, err)
	}
	return nil
}
