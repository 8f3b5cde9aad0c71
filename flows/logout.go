package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// EndSession ends the tenant's session id of user (an account's or an
// administrator's revocation, RP-initiated logout): see endSession. A
// session that is gone returns db.ErrNotFound.
func (d Deps) EndSession(ctx context.Context, t *tenants.Tenant, userID, sessionID uuid.UUID) error {
	return d.endSession(ctx, t, func(scope db.Scope) (*db.Session, error) {
		return scope.Sessions().Take(ctx, userID, sessionID)
	})
}

// SignOut ends the tenant's session whose token is token (the hosted
// pages' sign-out), as EndSession does. A session that is gone is not an
// error: the person is signed out either way.
func (d Deps) SignOut(ctx context.Context, t *tenants.Tenant, token string) error {
	err := d.endSession(ctx, t, func(scope db.Scope) (*db.Session, error) {
		return scope.Sessions().TakeByToken(ctx, HashToken(token))
	})
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	return err
}

// endSession is the one rule every door that ends a session calls. In one
// transaction it deletes the session (take), revokes every access and
// refresh token issued in it, for every application, and every code
// answered from it and not yet exchanged, and enqueues a
// back-channel logout job (jobs.BackchannelLogoutArgs) for each
// application that took part in it and registered a back-channel logout
// URI: the jobs exist if and only if the session has ended; and it
// records session.ended (the session's id as target, the actor from the
// context's audit.Origin, else the session's user).
func (d Deps) endSession(ctx context.Context, t *tenants.Tenant, take func(db.Scope) (*db.Session, error)) error {
	return d.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(t.ID)
		s, err := take(scope)
		if err != nil {
			return err
		}
		e := audit.Event{Type: audit.SessionEnded, User: &s.UserID, Target: s.ID.String()}
		if audit.OriginFrom(ctx).Actor == audit.Anonymous {
			e.Actor = audit.UserActor(s.UserID)
		}
		if err := RecordAudit(ctx, scope, t, d.Jobs, d.now(), e); err != nil {
			return err
		}
		if err := scope.OIDCTokens().RevokeBySession(ctx, s.ID); err != nil {
			return err
		}
		if err := scope.OIDCRefreshTokens().RevokeBySession(ctx, s.ID); err != nil {
			return err
		}
		if err := scope.OIDCAuthRequests().DropUnusedBySession(ctx, s.ID); err != nil {
			return err
		}
		taking, err := scope.OIDCSessionClients().TakeBySession(ctx, s.ID)
		if err != nil || len(taking) == 0 {
			return err
		}
		return d.enqueueLogouts(ctx, tx, scope, s, taking)
	})
}

// enqueueLogouts inserts one back-channel logout job per application of
// took that has a back-channel logout URI.
func (d Deps) enqueueLogouts(ctx context.Context, tx *db.Tx, scope db.Scope, s *db.Session, took []*db.OIDCSessionClient) error {
	issuers := make(map[string]string, len(took))
	ids := make([]string, 0, len(took))
	for _, c := range took {
		issuers[c.ClientID] = c.Issuer
		ids = append(ids, c.ClientID)
	}
	listening, err := scope.OIDCApps().WithBackchannelLogout(ctx, ids)
	if err != nil || len(listening) == 0 {
		return err
	}
	if d.Jobs == nil {
		return errors.New("end session: no job inserter configured for back-channel logout")
	}
	for _, a := range listening {
		args := jobs.BackchannelLogoutArgs{TenantID: scope.TenantID(), ClientID: a.ClientID, Issuer: issuers[a.ClientID],
			Subject: s.UserID.String(), SessionID: s.ID}
		if _, err := d.Jobs.InsertTx(ctx, tx.SQL(), args, nil); err != nil {
			return fmt.Errorf("enqueue back-channel logout of %q: %w", a.ClientID, err)
		}
	}
	return nil
}

// now is the clock's time, the wall clock's when none is set.
func (d Deps) now() time.Time {
	if d.Clock == nil {
		return time.Now()
	}
	return d.Clock.Now()
}
