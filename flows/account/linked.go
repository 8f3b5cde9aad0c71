package account

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// LinkedIdentities lists the upstream identities that sign the caller in.
func (s *Service) LinkedIdentities(ctx context.Context, c Caller) ([]*db.FederatedIdentity, error) {
	return s.scope(c).FederatedIdentities().ByUser(ctx, c.userID())
}

// UnlinkIdentity unlinks one of the caller's upstream identities, after a
// recent verification, unless it is the last way to sign in. An SSO user's
// organization is not theirs to unlink.
func (s *Service) UnlinkIdentity(ctx context.Context, c Caller, id uuid.UUID) error {
	if err := s.recentlyVerified(c); err != nil {
		return err
	}
	uid := c.userID()
	return s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		ids, err := scope.FederatedIdentities().ByUser(ctx, uid)
		if err != nil {
			return err
		}
		found := false
		for _, fi := range ids {
			found = found || fi.ID == id
		}
		if !found {
			return db.ErrNotFound
		}
		left, err := signInMethods(ctx, c.Tenant, scope, c.Session.User, id)
		if err != nil {
			return err
		}
		if left == 0 || c.Session.User.SSO {
			return ErrLastSignInMethod
		}
		return scope.FederatedIdentities().Unlink(ctx, uid, id)
	})
}
