package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCGrant is the consent a user gave one of the tenant's applications:
// the scopes it may receive without asking again.
type OIDCGrant struct {
	bun.BaseModel `bun:"table:oidc_grants,alias:g"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	AppID     uuid.UUID  `bun:"app_id,notnull,type:uuid"`
	Scopes    StringList `bun:"scopes,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UpdatedAt time.Time  `bun:"updated_at,notnull"`
	// App is the application, filled by ByUser.
	App *OIDCApp `bun:"rel:belongs-to,join:app_id=id"`
}

// OIDCGrantStore keeps one tenant's consent grants.
type OIDCGrantStore struct{ s Scope }

// OIDCGrants returns the scope's grant store.
func (s Scope) OIDCGrants() OIDCGrantStore { return OIDCGrantStore{s: s} }

// Get returns userID's grant to application appID, or ErrNotFound.
func (gs OIDCGrantStore) Get(ctx context.Context, userID, appID uuid.UUID) (*OIDCGrant, error) {
	if err := gs.s.check(); err != nil {
		return nil, err
	}
	g := new(OIDCGrant)
	err := gs.s.idb.NewSelect().Model(g).
		Where("g.tenant_id = ?", gs.s.tenant).
		Where("g.user_id = ?", userID).
		Where("g.app_id = ?", appID).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "grant of application %s", appID)
	}
	return g, nil
}

// Save stores userID's grant to appID with scopes, replacing the scopes of
// an existing one (one statement: of two concurrent consents the last
// wins). The user and the application must be the tenant's.
func (gs OIDCGrantStore) Save(ctx context.Context, userID, appID uuid.UUID, scopes []string, now time.Time) error {
	if err := gs.s.check(); err != nil {
		return err
	}
	g := &OIDCGrant{ID: uuid.Must(uuid.NewV7()), TenantID: gs.s.tenant, UserID: userID, AppID: appID,
		Scopes: StringList(scopes), CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	_, err := gs.s.idb.NewInsert().Model(g).
		On("CONFLICT (tenant_id, user_id, app_id) DO UPDATE").
		Set("scopes = EXCLUDED.scopes").
		Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("save grant of application %s: %w", appID, err)
	}
	return nil
}

// ByUser returns userID's grants with their applications, most recently
// updated first.
func (gs OIDCGrantStore) ByUser(ctx context.Context, userID uuid.UUID) ([]*OIDCGrant, error) {
	if err := gs.s.check(); err != nil {
		return nil, err
	}
	var out []*OIDCGrant
	err := gs.s.idb.NewSelect().Model(&out).
		Relation("App").
		Where("g.tenant_id = ?", gs.s.tenant).
		Where("g.user_id = ?", userID).
		OrderExpr("g.updated_at DESC, g.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("grants of user %s: %w", userID, err)
	}
	return out, nil
}

// Delete removes userID's grant to appID (ErrNotFound when there is none).
func (gs OIDCGrantStore) Delete(ctx context.Context, userID, appID uuid.UUID) error {
	if err := gs.s.check(); err != nil {
		return err
	}
	res, err := gs.s.idb.NewDelete().Model((*OIDCGrant)(nil)).
		Where("tenant_id = ?", gs.s.tenant).
		Where("user_id = ?", userID).
		Where("app_id = ?", appID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete grant of application %s: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("grant of application %s: %w", appID, ErrNotFound)
	}
	return nil
}

// RevokeUserClient deletes every access token of userID issued to clientID.
func (ts OIDCTokenStore) RevokeUserClient(ctx context.Context, userID uuid.UUID, clientID string) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	_, err := ts.s.idb.NewDelete().Model((*OIDCToken)(nil)).
		Where("tenant_id = ?", ts.s.tenant).
		Where("user_id = ?", userID).
		Where("client_id = ?", clientID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke access tokens of %s: %w", clientID, err)
	}
	return nil
}

// RevokeUserClient deletes every refresh token of userID issued to
// clientID.
func (rs OIDCRefreshTokenStore) RevokeUserClient(ctx context.Context, userID uuid.UUID, clientID string) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	_, err := rs.s.idb.NewDelete().Model((*OIDCRefreshToken)(nil)).
		Where("tenant_id = ?", rs.s.tenant).
		Where("user_id = ?", userID).
		Where("client_id = ?", clientID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke refresh tokens of %s: %w", clientID, err)
	}
	return nil
}
