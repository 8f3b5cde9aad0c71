package account

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
)

// RemoveIdentifier removes one of the caller's email addresses or phone
// numbers. Removing an identifier can take away a way to sign in, so it
// needs a recent verification; the last way to sign in stays
// (last_sign_in_method), and so does the last identifier, which names the
// account at sign-in.
func (s *Service) RemoveIdentifier(ctx context.Context, c Caller, id uuid.UUID) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	uid := c.userID()
	err := s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		ids, err := scope.Users().Identifiers(ctx, uid)
		if err != nil {
			return err
		}
		found := false
		for _, i := range ids {
			found = found || i.ID == id
		}
		if !found {
			return flows.ErrInvalidInput.WithField("id", "This identifier is not one of yours.")
		}
		if len(ids) == 1 {
			return ErrLastSignInMethod.WithField("id", "Your account needs at least one email address or phone number.")
		}
		u, err := scope.Users().ByID(ctx, uid)
		if err != nil {
			return err
		}
		left, err := signInMethods(ctx, c.Tenant, scope, u, id)
		if err != nil {
			return err
		}
		if left == 0 {
			return ErrLastSignInMethod
		}
		if err := scope.Users().RemoveIdentifier(ctx, uid, id); err != nil {
			return err
		}
		return s.record(ctx, c, scope, audit.Event{Type: audit.IdentifierRemoved, Target: id.String()})
	})
	if err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}
