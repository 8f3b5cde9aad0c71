package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCToken is an access token the provider issued. The client holds an
// encrypted reference to the row's id; the row says what the token grants,
// so deleting it revokes the token at once.
type OIDCToken struct {
	bun.BaseModel `bun:"table:oidc_tokens,alias:ot"`

	ID       uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	ClientID string     `bun:"client_id,notnull"`
	UserID   *uuid.UUID `bun:"user_id,type:uuid"`
	// Subject is the user's id, or the client id for client credentials.
	Subject       string     `bun:"subject,notnull"`
	AuthRequestID *uuid.UUID `bun:"auth_request_id,type:uuid"`
	Scopes        StringList `bun:"scopes,notnull"`
	AMR           string     `bun:"amr,notnull"`
	AuthTime      *time.Time `bun:"auth_time"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ExpiresAt     time.Time  `bun:"expires_at,notnull"`

	// SessionID is the Sesame session the token was issued in (none for
	// client credentials); the session's end revokes it.
	SessionID *uuid.UUID `bun:"session_id,type:uuid"`
}

// OIDCTokenStore keeps one tenant's access tokens.
type OIDCTokenStore struct{ s Scope }

// OIDCTokens returns the scope's access token store.
func (s Scope) OIDCTokens() OIDCTokenStore { return OIDCTokenStore{s: s} }

// Create stores t for the scope's tenant; ExpiresAt must be set.
func (ts OIDCTokenStore) Create(ctx context.Context, t *OIDCToken) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	if t.ExpiresAt.IsZero() {
		return fmt.Errorf("create access token: no expiry set")
	}
	if t.ID == uuid.Nil {
		t.ID = uuid.New()
	}
	t.TenantID = ts.s.tenant
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now().UTC()
	}
	var err error
	if hot := ts.s.hot; hot != nil {
		_, err = ts.s.hotExec(ctx, hot.oidc.createToken, tokenArgs(t)...)
	} else {
		_, err = ts.s.idb.NewInsert().Model(t).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("create access token: %w", err)
	}
	return nil
}

// Get returns the tenant's unexpired token id, or ErrNotFound.
func (ts OIDCTokenStore) Get(ctx context.Context, id uuid.UUID, now time.Time) (*OIDCToken, error) {
	if err := ts.s.check(); err != nil {
		return nil, err
	}
	t := new(OIDCToken)
	err := ts.s.idb.NewSelect().Model(t).
		Where("ot.tenant_id = ?", ts.s.tenant).
		Where("ot.id = ?", id).
		Where("ot.expires_at > ?", now.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "access token")
	}
	return t, nil
}

// Revoke deletes the tenant's token id if it was issued to clientID.
// Revoking a token that is gone is not an error (RFC 7009 §2.2).
func (ts OIDCTokenStore) Revoke(ctx context.Context, id uuid.UUID, clientID string) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	_, err := ts.s.idb.NewDelete().Model((*OIDCToken)(nil)).
		Where("tenant_id = ?", ts.s.tenant).
		Where("id = ?", id).
		Where("client_id = ?", clientID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke access token: %w", err)
	}
	return nil
}

// RevokeByAuthRequest deletes every token issued from authorization request
// id (a reused code revokes what its first use issued).
func (ts OIDCTokenStore) RevokeByAuthRequest(ctx context.Context, id uuid.UUID) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	_, err := ts.s.idb.NewDelete().Model((*OIDCToken)(nil)).
		Where("tenant_id = ?", ts.s.tenant).
		Where("auth_request_id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke tokens of authorization request %s: %w", id, err)
	}
	return nil
}

// deleteExpiredOIDC removes expired authorization requests, access tokens,
// refresh tokens and session participations, at most batch of each
// (cleanup).
func (d *DB) deleteExpiredOIDC(ctx context.Context, now time.Time, batch int) (int, error) {
	requests, err := deleteExpired(ctx, d.bun, (*OIDCAuthRequest)(nil), "oidc_auth_requests", now, batch)
	if err != nil {
		return 0, err
	}
	tokens, err := deleteExpired(ctx, d.bun, (*OIDCToken)(nil), "oidc_tokens", now, batch)
	if err != nil {
		return 0, err
	}
	refresh, err := deleteExpired(ctx, d.bun, (*OIDCRefreshToken)(nil), "oidc_refresh_tokens", now, batch)
	if err != nil {
		return 0, err
	}
	clients, err := deleteExpired(ctx, d.bun, (*OIDCSessionClient)(nil), "oidc_session_clients", now, batch)
	return max(requests, tokens, refresh, clients), err
}
