package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// Deleting an account. RequestDeletion (after a recent verification) marks
// the account pending deletion until the end of the tenant's grace period
// (tenants.AccountPolicy.DeletionGraceDays; 0 is at once), schedules the
// account-deletion job (jobs.AccountDeletionArgs) for then in the same
// transaction, and ends every session of the account as a sign-out ends
// them. During the grace period the owner may still sign in: the account
// center then says when the account will be deleted and offers to keep it
// (CancelDeletion). Signing in alone does not cancel: the deletion was
// asked for after a re-verification, and an application's sign-in must not
// undo it unseen. Once due, the job calls RemoveAccount.

// RequestDeletion marks the caller's account pending deletion and returns
// when it will be removed.
func (s *Service) RequestDeletion(ctx context.Context, c Caller) (time.Time, error) {
	if err := s.recentlyVerified(c); err != nil {
		return time.Time{}, err
	}
	if s.flows.Jobs == nil {
		return time.Time{}, errors.New("request deletion: no job inserter configured")
	}
	uid := c.userID()
	due := s.flows.Clock.Now().Add(c.Tenant.Settings.Account.DeletionGrace()).UTC()
	err := s.inTx(ctx, c, func(ctx context.Context, tx *db.Tx, scope db.Scope) error {
		if err := scope.Users().SetDeleteAfter(ctx, uid, &due); err != nil {
			return err
		}
		args := jobs.AccountDeletionArgs{TenantID: c.Tenant.ID, UserID: uid}
		if _, err := s.flows.Jobs.InsertTx(ctx, tx.SQL(), args, &river.InsertOpts{ScheduledAt: due}); err != nil {
			return err
		}
		return s.record(ctx, c, scope, audit.Event{Type: audit.DeletionRequested, After: map[string]any{"delete_after": due}})
	})
	if err != nil {
		return time.Time{}, err
	}
	return due, s.endSessions(ctx, c.Tenant, uid, uuid.Nil)
}

// CancelDeletion keeps the caller's account: it is no longer pending
// deletion, and the scheduled job finds nothing to do. Signing in proved
// the owner; keeping an account takes no way to sign in away, so no
// re-verification is asked.
func (s *Service) CancelDeletion(ctx context.Context, c Caller) (*db.User, error) {
	if err := s.scope(c).Users().SetDeleteAfter(ctx, c.userID(), nil); err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}

// errSessionsBegan makes the job run again: the owner signed in while the
// account was being removed, and that session must end by a sign-out too.
var errSessionsBegan = errors.New("remove account: a session began meanwhile; its end comes first")

// RemoveAccount removes the tenant's user once its deletion is due
// (jobs.AccountRemover): every session ends through flows.Deps.EndSession
// (tokens revoked, back-channel logout jobs enqueued), then the user is
// deleted with everything of theirs (db.UserStore.Delete's cascades), in
// a transaction that checks again that the deletion is still asked for and
// due, and that no session began meanwhile. A user not pending deletion,
// or gone, is nothing to do; one not due yet returns when it is.
func (s *Service) RemoveAccount(ctx context.Context, tenantID, userID uuid.UUID) (time.Time, error) {
	scope := s.flows.DB.ForTenant(tenantID)
	u, err := scope.Users().ByID(ctx, userID)
	if errors.Is(err, db.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	now := s.flows.Clock.Now()
	if u.DeleteAfter == nil {
		return time.Time{}, nil
	}
	if now.Before(*u.DeleteAfter) {
		return *u.DeleteAfter, nil
	}
	t, err := tenants.NewService(s.flows.DB, "").ByID(ctx, tenantID)
	if err != nil {
		return time.Time{}, err
	}
	if err := s.endSessions(ctx, t, userID, uuid.Nil); err != nil {
		return time.Time{}, err
	}
	err = s.flows.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(tenantID)
		u, err := scope.Users().ByID(ctx, userID)
		if err != nil {
			return err
		}
		if u.DeleteAfter == nil || now.Before(*u.DeleteAfter) {
			return nil // kept meanwhile
		}
		left, err := scope.Sessions().ByUser(ctx, userID, now)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			return errSessionsBegan
		}
		return scope.Users().Delete(ctx, userID)
	})
	if errors.Is(err, db.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("remove account %s: %w", userID, err)
	}
	return time.Time{}, nil
}

var _ jobs.AccountRemover = (*Service)(nil)
