package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ByID returns the tenant's application with the id, or ErrNotFound:
// another tenant's application is not found.
func (as OIDCAppStore) ByID(ctx context.Context, id uuid.UUID) (*OIDCApp, error) {
	if err := as.s.check(); err != nil {
		return nil, err
	}
	a := new(OIDCApp)
	err := as.s.idb.NewSelect().Model(a).
		Where("a.tenant_id = ?", as.s.tenant).
		Where("a.id = ?", id).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "application %s", id)
	}
	return a, nil
}

// Update stores what may change of a: its name, redirect and post-logout
// redirect URIs, scopes, token lifetimes, ID token algorithm, first-party
// flag and back-channel logout URI. The type, the client id and the secrets stay as they
// are. ErrNotFound when the tenant has no application with a's id.
func (as OIDCAppStore) Update(ctx context.Context, a *OIDCApp, now time.Time) error {
	if err := as.s.check(); err != nil {
		return err
	}
	defer as.s.apps.forget(as.s.tenant)
	a.UpdatedAt = now.UTC()
	res, err := as.s.idb.NewUpdate().Model(a).
		Column("name", "redirect_uris", "post_logout_redirect_uris", "scopes",
			"access_token_ttl_seconds", "id_token_ttl_seconds", "id_token_alg", "first_party",
			"backchannel_logout_uri", "backchannel_logout_session_required", "updated_at").
		Where("tenant_id = ?", as.s.tenant).
		Where("id = ?", a.ID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update application %s: %w", a.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("application %s: %w", a.ID, ErrNotFound)
	}
	return nil
}
