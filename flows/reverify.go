package flows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
)

// The re-verification rule: adding or removing a way to sign in or a
// second factor needs a session that proved a factor within
// RecentVerification. A stolen session token alone must not become a
// lasting credential. Every door that makes such a change (the add-passkey
// flow, which the flow API, the WebAuthn routes and GraphQL all run, and
// the account service, flows/account) calls RequireRecentVerification or
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
