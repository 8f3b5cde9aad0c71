package flows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/totp"
)

// The re-verification rule: adding or removing a way to sign in or a
// second factor needs a session that proved a factor within
// RecentVerification. A stolen session token alone must not become a
// lasting credential. Every door that makes such a change (the add-passkey
// flow, which the flow API, the WebAuthn routes and GraphQL all run, and
// the GraphQL account mutations) calls RequireRecentVerification or
// RequireRecentVerificationOf; nothing else decides it.
//
// A session proves a factor when a sign-in creates it, and again when the
// re-verification flow (flows/reverify) accepts one of the user's factors:
// MarkVerified then moves its verified time to now, keeping the session
// (same token, same expiry), so re-verifying neither signs the user in
// again nor ends the session.

// RecentVerification is how recently a session must have proved a factor
// to change the account's ways to sign in or to verify.
const RecentVerification = 10 * time.Minute

// Limit on factor attempts, per user, counted before each check, shared
// by the sign-in's second factor and re-verification: a six-digit code
// must not be guessable by switching between them.
const (
	// FactorAttemptWindow is the fixed window of the limit.
	FactorAttemptWindow = 15 * time.Minute
	// FactorAttemptsPerUser is how many factor attempts (passkey answers,
	// TOTP, SMS and backup codes together) one user gets per window.
	FactorAttemptsPerUser = 10
)

// RequireRecentVerification is the rule: s proved a factor within
// RecentVerification of now, else ErrReverificationRequired.
func RequireRecentVerification(s *db.Session, now time.Time) error {
	if s == nil {
		return ErrUnauthenticated
	}
	if now.Sub(s.VerifiedAt) > RecentVerification {
		return ErrReverificationRequired
	}
	return nil
}

// RequireRecentVerificationOf applies the rule to the session of req
// (RequestInfo.SessionID), read again in scope: a flow action runs in its
// own transaction, possibly minutes after the flow began, and must see a
// revocation or a re-verification made since. A request without a session
// of its user is ErrUnauthenticated.
func RequireRecentVerificationOf(ctx context.Context, scope db.Scope, req RequestInfo, now time.Time) error {
	if req.UserID == nil || req.SessionID == nil {
		return ErrUnauthenticated
	}
	s, err := scope.Sessions().Get(ctx, *req.UserID, *req.SessionID, now)
	if errors.Is(err, db.ErrNotFound) {
		return ErrUnauthenticated
	}
	if err != nil {
		return err
	}
	return RequireRecentVerification(s, now)
}

// MarkVerified records that session s proved a factor (amr, an RFC 8176
// value such as AMRWebAuthn) at now: its verified time becomes now and amr
// is added to its methods. A session gone meanwhile is ErrUnauthenticated.
func MarkVerified(ctx context.Context, scope db.Scope, s *db.Session, amr string, now time.Time) error {
	methods := strings.Split(s.AMR, ",")
	if s.AMR == "" {
		methods = nil
	}
	if !slices.Contains(methods, amr) {
		methods = append(methods, amr)
	}
	joined := strings.Join(methods, ",")
	err := scope.Sessions().Reverified(ctx, s.UserID, s.ID, joined, now)
	if errors.Is(err, db.ErrNotFound) {
		return ErrUnauthenticated
	}
	if err != nil {
		return err
	}
	s.AMR, s.VerifiedAt = joined, now.UTC()
	return nil
}

// CountFactorAttempt counts one factor attempt by the user in tx and
// returns ErrTooManyAttempts once the user is over FactorAttemptsPerUser
// in the window. Call it before checking the factor, and commit the count
// even when the check fails (Fail), so wrong guesses add up.
func CountFactorAttempt(ctx context.Context, tx *db.Tx, tenantID, userID uuid.UUID, now time.Time) error {
	n, err := tx.ForTenant(tenantID).Hit(ctx, "user:"+userID.String()+":mfa", FactorAttemptWindow, now)
	if err != nil {
		return err
	}
	if n > FactorAttemptsPerUser {
		return ErrTooManyAttempts
	}
	return nil
}

// CheckTOTP checks code against the user's confirmed authenticator app and
// accepts it, so that it cannot be used again; a wrong, replayed or
// missing one is ErrInvalidCode.
func CheckTOTP(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time) error {
	f, err := scope.TOTP().Get(ctx, userID)
	if errors.Is(err, db.ErrNotFound) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	if f.ConfirmedAt == nil {
		return ErrInvalidCode
	}
	accepted, err := totp.Validate(f.Secret, code, now, f.LastStep)
	if errors.Is(err, totp.ErrInvalid) || errors.Is(err, totp.ErrReplayed) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	// Atomic: of two requests with one code, only one gets here.
	if err := scope.TOTP().Accept(ctx, userID, accepted, now); errors.Is(err, db.ErrReplayed) {
		return ErrInvalidCode
	} else if err != nil {
		return err
	}
	return nil
}

// CheckBackupCode checks code against the user's unused backup codes and
// uses the one it matches; no match is ErrInvalidCode.
func CheckBackupCode(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time) error {
	codes, err := scope.BackupCodes().Unused(ctx, userID)
	if err != nil {
		return err
	}
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = c.CodeHash
	}
	i, ok := backupcode.Match(code, hashes)
	if !ok {
		return ErrInvalidCode
	}
	// Single use: of two requests with one code, only one marks it.
	if err := scope.BackupCodes().Use(ctx, userID, codes[i].ID, now); errors.Is(err, db.ErrNotFound) {
		return ErrInvalidCode
	} else if err != nil {
		return err
	}
	return nil
}
