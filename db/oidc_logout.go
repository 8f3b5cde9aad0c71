package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCSessionClient records that an application took part in a Sesame
// session (an authorization request was answered from it), under which
// issuer: when the session ends, the application is told by back-channel
// logout.
type OIDCSessionClient struct {
	bun.BaseModel `bun:"table:oidc_session_clients,alias:sc"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	SessionID uuid.UUID `bun:"session_id,notnull,type:uuid"`
	ClientID  string    `bun:"client_id,notnull"`
	UserID    uuid.UUID `bun:"user_id,notnull,type:uuid"`
	// Issuer is the origin the application's tokens were issued under (a
	// tenant host or one of its custom domains).
	Issuer    string    `bun:"issuer,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	// ExpiresAt is no later than the session's end.
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// OIDCSessionClientStore keeps one tenant's session participations.
type OIDCSessionClientStore struct{ s Scope }

// OIDCSessionClients returns the scope's session participation store.
func (s Scope) OIDCSessionClients() OIDCSessionClientStore { return OIDCSessionClientStore{s: s} }

// Record stores c for the scope's tenant, once per session and client: a
// second record of the pair is ignored. ExpiresAt must be set.
func (cs OIDCSessionClientStore) Record(ctx context.Context, c *OIDCSessionClient) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	if c.ExpiresAt.IsZero() {
		return fmt.Errorf("record session client: no expiry set")
	}
	if c.ID == uuid.Nil {
		c.ID = uuid.New()
	}
	c.TenantID = cs.s.tenant
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	_, err := cs.s.idb.NewInsert().Model(c).
		On("CONFLICT (tenant_id, session_id, client_id) DO NOTHING").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("record client %q in session %s: %w", c.ClientID, c.SessionID, err)
	}
	return nil
}

// TakeBySession deletes and returns the applications that took part in
// the tenant's session id.
func (cs OIDCSessionClientStore) TakeBySession(ctx context.Context, sessionID uuid.UUID) ([]*OIDCSessionClient, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	var out []*OIDCSessionClient
	err := cs.s.idb.NewDelete().Model(&out).
		Where("tenant_id = ?", cs.s.tenant).
		Where("session_id = ?", sessionID).
		Returning("*").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("take clients of session %s: %w", sessionID, err)
	}
	return out, nil
}

// WithBackchannelLogout returns the tenant's applications among clientIDs that
// registered a back-channel logout URI.
func (as OIDCAppStore) WithBackchannelLogout(ctx context.Context, clientIDs []string) ([]*OIDCApp, error) {
	if err := as.s.check(); err != nil {
		return nil, err
	}
	var out []*OIDCApp
	if len(clientIDs) == 0 {
		return out, nil
	}
	err := as.s.idb.NewSelect().Model(&out).
		Where("a.tenant_id = ?", as.s.tenant).
		Where("a.client_id IN (?)", bun.In(clientIDs)).
		Where("a.backchannel_logout_uri <> ''").
		OrderExpr("a.client_id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("applications with back-channel logout: %w", err)
	}
	return out, nil
}

// RevokeBySession deletes the tenant's access tokens issued in session id.
func (ts OIDCTokenStore) RevokeBySession(ctx context.Context, sessionID uuid.UUID) error {
	return revokeWhere(ctx, ts.s, (*OIDCToken)(nil), "session_id", sessionID, "access tokens")
}

// RevokeByClient deletes the tenant's access tokens issued to clientID.
func (ts OIDCTokenStore) RevokeByClient(ctx context.Context, clientID string) error {
	return revokeWhere(ctx, ts.s, (*OIDCToken)(nil), "client_id", clientID, "access tokens")
}

// RevokeBySession deletes the tenant's refresh tokens issued in session
// id.
func (rs OIDCRefreshTokenStore) RevokeBySession(ctx context.Context, sessionID uuid.UUID) error {
	return revokeWhere(ctx, rs.s, (*OIDCRefreshToken)(nil), "session_id", sessionID, "refresh tokens")
}

// RevokeByClient deletes the tenant's refresh tokens issued to clientID.
func (rs OIDCRefreshTokenStore) RevokeByClient(ctx context.Context, clientID string) error {
	return revokeWhere(ctx, rs.s, (*OIDCRefreshToken)(nil), "client_id", clientID, "refresh tokens")
}

// RevokeByClient forgets the sessions clientID took part in.
func (cs OIDCSessionClientStore) RevokeByClient(ctx context.Context, clientID string) error {
	return revokeWhere(ctx, cs.s, (*OIDCSessionClient)(nil), "client_id", clientID, "session clients")
}

// revokeWhere deletes the scope's rows of model whose column is value.
// column is one of the callers' constants, never input.
func revokeWhere(ctx context.Context, s Scope, model any, column string, value any, what string) error {
	if err := s.check(); err != nil {
		return err
	}
	_, err := s.idb.NewDelete().Model(model).
		Where("tenant_id = ?", s.tenant).
		Where("? = ?", bun.Ident(column), value).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke %s by %s: %w", what, column, err)
	}
	return nil
}

// Take deletes and returns the user's session id (ErrNotFound when there
// is none), so that what ends with it can be found from it.
func (ss SessionStore) Take(ctx context.Context, userID, id uuid.UUID) (*Session, error) {
	if err := ss.s.check(); err != nil {
		return nil, err
	}
	s := new(Session)
	err := ss.s.idb.NewDelete().Model(s).
		Where("tenant_id = ?", ss.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Returning("*").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "session %s", id)
	}
	return s, nil
}

// TakeByToken deletes and returns the session whose token hashes to
// tokenHash, or ErrNotFound.
func (ss SessionStore) TakeByToken(ctx context.Context, tokenHash []byte) (*Session, error) {
	if err := ss.s.check(); err != nil {
		return nil, err
	}
	s := new(Session)
	err := ss.s.idb.NewDelete().Model(s).
		Where("tenant_id = ?", ss.s.tenant).
		Where("token_hash = ?", tokenHash).
		Returning("*").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// DeleteWithTokens removes the tenant's application with the client id
// and, in the same transaction, every access and refresh token issued to
// it and the sessions it took part in: nothing it was given outlives it.
// ErrNotFound when the tenant has no such application.
func (as OIDCAppStore) DeleteWithTokens(ctx context.Context, clientID string) error {
	if err := as.s.check(); err != nil {
		return err
	}
	// After the commit too: a lookup between the inner forget and the
	// commit could cache the application again.
	defer as.s.apps.forget(as.s.tenant)
	return as.s.idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		scope := as.s
		scope.idb = tx
		if err := scope.OIDCApps().Delete(ctx, clientID); err != nil {
			return err
		}
		if err := scope.OIDCTokens().RevokeByClient(ctx, clientID); err != nil {
			return err
		}
		if err := scope.OIDCRefreshTokens().RevokeByClient(ctx, clientID); err != nil {
			return err
		}
		return scope.OIDCSessionClients().RevokeByClient(ctx, clientID)
	})
}

// DropUnusedBySession deletes the tenant's authorization requests answered
// from session id whose code has not been exchanged: a session's end
// leaves no code that could still bring tokens. Used ones stay, so that a
// code presented again is still recognised.
func (rs OIDCAuthRequestStore) DropUnusedBySession(ctx context.Context, sessionID uuid.UUID) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	_, err := rs.s.idb.NewDelete().Model((*OIDCAuthRequest)(nil)).
		Where("tenant_id = ?", rs.s.tenant).
		Where("session_id = ?", sessionID).
		Where("code_used_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("drop unused authorization requests of session %s: %w", sessionID, err)
	}
	return nil
}
