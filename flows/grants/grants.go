// Package grants holds the rules of consent: when an application must ask
// a user before it receives their identity, what a consent records, and
// what revoking an application's access takes away. The provider's
// consent page, the account API and the management API all call it.
package grants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// Request is what an authorization request asks of a user.
type Request struct {
	App    *db.OIDCApp
	UserID uuid.UUID
	Scopes []string
	// Prompted is true when the client sent prompt=consent.
	Prompted bool
}

// Needed reports whether the user must be asked before req is answered:
// never for a first-party application; always with prompt=consent;
// otherwise unless the user already consented to every scope asked (a
// request for the same or fewer scopes is answered without asking).
func Needed(ctx context.Context, scope db.Scope, req Request) (bool, error) {
	if req.App.FirstParty {
		return false, nil
	}
	if req.Prompted {
		return true, nil
	}
	g, err := scope.OIDCGrants().Get(ctx, req.UserID, req.App.ID)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return true, nil
		}
		return false, err
	}
	for _, s := range req.Scopes {
		if !slices.Contains(g.Scopes, s) {
			return true, nil
		}
	}
	return false, nil
}

// Allow records that the user consented to req's scopes, added to those
// consented before.
func Allow(ctx context.Context, scope db.Scope, req Request, now time.Time) error {
	scopes := slices.Clone(req.Scopes)
	g, err := scope.OIDCGrants().Get(ctx, req.UserID, req.App.ID)
	switch {
	case err == nil:
		for _, s := range g.Scopes {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	return scope.OIDCGrants().Save(ctx, req.UserID, req.App.ID, scopes, now)
}

// List returns the user's grants with their applications.
func List(ctx context.Context, scope db.Scope, userID uuid.UUID) ([]*db.OIDCGrant, error) {
	return scope.OIDCGrants().ByUser(ctx, userID)
}

// Revoke takes an application's access away from a user, in one
// transaction: the grant (so that the next authorization asks again) and
// every refresh and access token the application holds for the user.
// A user with no grant to the application gets db.ErrNotFound.
func Revoke(ctx context.Context, d *db.DB, tenantID, userID, appID uuid.UUID) error {
	return d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(tenantID)
		a, err := scope.OIDCApps().ByID(ctx, appID)
		if err != nil {
			return err
		}
		if err := scope.OIDCGrants().Delete(ctx, userID, appID); err != nil {
			return err
		}
		if err := scope.OIDCRefreshTokens().RevokeUserClient(ctx, userID, a.ClientID); err != nil {
			return err
		}
		if err := scope.OIDCTokens().RevokeUserClient(ctx, userID, a.ClientID); err != nil {
			return fmt.Errorf("revoke access of %s: %w", a.ClientID, err)
		}
		return nil
	})
}
