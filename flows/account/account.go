// Package account holds the rules of a signed-in user's account: which
// ways to sign in and which second factors may be added or removed, and
// when. Every door that changes an account calls Service (today the
// GraphQL account API, whose resolvers only translate arguments and
// results); none decides these rules itself.
//
// The rules:
//
//   - Adding or removing a sign-in method or a second factor needs a recent
//     verification (flows.RequireRecentVerification), checked once per
//     operation here: the session proved a factor within
//     flows.RecentVerification, at its sign-in or by re-verifying
//     (flows/reverify). Otherwise the answer is reverification_required.
//     Renaming a passkey changes no way to sign in and needs none.
//   - The last way to sign in cannot be removed (last_sign_in_method): a
//     passkey, a password, or a verified email or phone the tenant lets
//     sign in by code.
//   - Under a mandatory MFA policy the last second factor cannot be
//     removed and 2-step verification cannot be turned off
//     (mfa_required_by_policy); under a user-controlled policy removing the
//     last factor turns it off.
//   - A second factor the tenant has not turned on cannot be set up
//     (flows.FactorOn). An authenticator app's first code is checked by
//     flows.VerifyTOTP, on the user's one limit of factor attempts, shared
//     with the sign-in's second factor and re-verification; a phone is
//     bound by the code sent to it (flows.BindSMSFactor), in the session
//     that asked for it.
//   - Backup codes recover a second factor: they are given only to a user
//     who has one.
//   - Adding or removing an email address or phone number, setting a
//     password and deleting the account need a recent verification too;
//     changing one's name does not. An identifier is added only by the code
//     sent to it (flows.SendCode/CheckCode), in the session that asked for
//     it, and never taken from another account that proved it
//     (identifier_taken, as at sign-up); the last identifier stays.
//   - A password follows the tenant's password policy (flows/password).
//   - A deleted account is pending deletion for the tenant's grace period
//     (deletion.go), its sessions ended at once; a job removes it after.
//
// The tenant and the caller's session are passed as values (Caller); the
// service reads nothing from a request's context.
package account

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// QRCodeSize is the width and height, in pixels, of the QR code BeginTOTP
// draws.
const QRCodeSize = 256

// The account's public errors.
var (
	// ErrLastSignInMethod refuses to remove the account's last way to sign
	// in.
	ErrLastSignInMethod = errcode.ErrLastSignInMethod
	// ErrMFARequired refuses to leave an account without 2-step
	// verification under a mandatory policy.
	ErrMFARequired = errcode.ErrMFARequiredByPolicy
	// ErrFactorExists refuses to set up an authenticator app over a
	// confirmed one.
	ErrFactorExists = errcode.ErrFactorExists
)

// Caller is who asks: a signed-in user of a tenant.
type Caller struct {
	Tenant *tenants.Tenant
	// Session is the caller's session, with its User loaded; its verified
	// time decides the recent-verification rule.
	Session *db.Session
	// Request is the client's request (its IP counts toward the code
	// sending limits).
	Request flows.RequestInfo
}

func (c Caller) userID() uuid.UUID { return c.Session.UserID }

// Service applies the account rules. Build it with New.
type Service struct {
	flows flows.Deps
}

// New returns the service on the flows' dependencies: the database, the
// clock (default: the wall clock) and the job inserter that sends codes.
func New(d flows.Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Service{flows: d}
}

// recentlyVerified is the step-up rule, once per operation.
func (s *Service) recentlyVerified(c Caller) error {
	return flows.RequireRecentVerification(c.Session, s.flows.Clock.Now())
}

// inTx runs fn in a transaction of the caller's tenant. A failure marked
// with flows.Fail (a wrong code) still commits what fn counted.
func (s *Service) inTx(ctx context.Context, c Caller, fn func(ctx context.Context, tx *db.Tx, scope db.Scope) error) error {
	var failed error
	err := s.flows.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		err := fn(ctx, tx, tx.ForTenant(c.Tenant.ID))
		if flows.Failed(err) {
			failed = err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return failed
}

// record writes e about the caller, done by the caller, in the tenant's
// audit log on scope (the operation's transaction).
func (s *Service) record(ctx context.Context, c Caller, scope db.Scope, e audit.Event) error {
	uid := c.userID()
	e.User, e.Actor = &uid, audit.UserActor(uid)
	e.IP, e.UserAgent, e.Lang = c.Request.IP, c.Request.UserAgent, c.Request.Lang
	return flows.RecordAudit(ctx, scope, c.Tenant, s.flows.Jobs, s.flows.Clock.Now(), e)
}

// scope is the caller's tenant's part of the database, outside a
// transaction.
func (s *Service) scope(c Caller) db.Scope { return s.flows.DB.ForTenant(c.Tenant.ID) }

// user reads the caller's user again, as a change left it.
func (s *Service) user(ctx context.Context, c Caller) (*db.User, error) {
	return s.scope(c).Users().ByID(ctx, c.userID())
}
