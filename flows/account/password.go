package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// SetPassword sets or changes the caller's password under the tenant's
// password policy (flows/password). A password is a way to sign in, so it
// needs a recent verification; the current password is not asked for, the
// recent verification stands for it. With endOthers, every other session
// of the caller ends as a sign-out ends it (flows.Deps.EndSession: tokens
// revoked, back-channel logout); this one stays.
func (s *Service) SetPassword(ctx context.Context, c Caller, pw string, endOthers bool) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	if pw == "" {
		return nil, flows.ErrInvalidInput.WithField("password", "Choose a password.")
	}
	p := c.Tenant.Settings.Password
	policy := password.Policy{MinLength: p.MinLength, MaxLength: p.MaxLength, RejectCommon: p.RejectCommon}
	if err := policy.Check(pw); err != nil {
		var pe *password.PolicyError
		if errors.As(err, &pe) {
			return nil, flows.ErrInvalidInput.WithField("password", pe.Error()).WithParams(pe.Params())
		}
		return nil, err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return nil, fmt.Errorf("hash new password: %w", err)
	}
	err = s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		if err := scope.Users().SetPassword(ctx, c.userID(), hash); err != nil {
			return err
		}
		return s.record(ctx, c, scope, audit.Event{Type: audit.PasswordChanged})
	})
	if err != nil {
		return nil, err
	}
	if endOthers {
		if err := s.endSessions(ctx, c.Tenant, c.userID(), c.Session.ID); err != nil {
			return nil, err
		}
	}
	return s.user(ctx, c)
}

// endSessions ends every unexpired session of user but keep (uuid.Nil
// keeps none), each through flows.Deps.EndSession. A session that ended
// meanwhile is no error.
func (s *Service) endSessions(ctx context.Context, t *tenants.Tenant, userID, keep uuid.UUID) error {
	sessions, err := s.flows.DB.ForTenant(t.ID).Sessions().ByUser(ctx, userID, s.flows.Clock.Now())
	if err != nil {
		return err
	}
	for _, sess := range sessions {
		if sess.ID == keep {
			continue
		}
		if err := s.flows.EndSession(ctx, t, userID, sess.ID); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	return nil
}
