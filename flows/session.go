package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// SessionTTL is how long a session lasts.
const SessionTTL = 14 * 24 * time.Hour

// Authentication methods recorded in a session's amr (RFC 8176).
const (
	AMRWebAuthn = "webauthn"
	AMRPassword = "pwd"
	AMROTP      = "otp"
	AMRSMS      = "sms"
	AMRMFA      = "mfa"
	// AMRFederated is a sign-in through an upstream identity provider.
	AMRFederated = "fed"
	// AMRBackupCode is a used backup (recovery) code. RFC 8176 has no
	// value for it; it is kept apart from otp so that a sign-in that fell
	// back to a recovery code can be told from one with an app.
	AMRBackupCode = "backup_code"
)

// IssuedSession is a new session and its token, which exists only here and
// in the client's hands.
type IssuedSession struct {
	Token   string
	Session *db.Session
}

// IssueSession creates a session for user with the methods used, with a
// fresh token.
func IssueSession(ctx context.Context, scope db.Scope, userID uuid.UUID, amr []string, req RequestInfo, now time.Time) (*IssuedSession, error) {
	s := newSession(userID, amr, req, now)
	if err := scope.Sessions().Create(ctx, s.Session); err != nil {
		return nil, err
	}
	return s, nil
}

func newSession(userID uuid.UUID, amr []string, req RequestInfo, now time.Time) *IssuedSession {
	token, hash := NewToken()
	return &IssuedSession{Token: token, Session: &db.Session{
		UserID:     userID,
		TokenHash:  hash,
		AMR:        strings.Join(amr, ","),
		UserAgent:  truncate(req.UserAgent, 512),
		IP:         req.IP,
		CreatedAt:  now.UTC(),
		VerifiedAt: now.UTC(),
		ExpiresAt:  now.Add(SessionTTL).UTC(),
	}}
}

// IssueSession issues the session that signs the step's user in, as the
// step's Session. The engine stores it when it records the step's audit
// events (recordStep), before anything else reads it, and with them in one
// statement where that is all recording them would do (see
// createStepSession): a sign-in's session and its audit event are one
// write.
func (s *Step[C]) IssueSession(userID uuid.UUID, amr []string) *IssuedSession {
	s.Session = newSession(userID, amr, s.Request, s.Now)
	s.unstored = s.Session.Session
	return s.Session
}

// LookupSession returns the unexpired session (with its user) of token,
// or ErrUnauthenticated. A disabled user's session does not count.
func LookupSession(ctx context.Context, scope db.Scope, token string, now time.Time) (*db.Session, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	s, err := scope.Sessions().ByToken(ctx, HashToken(token), now)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	if s.User == nil || s.User.DisabledAt != nil {
		return nil, ErrUnauthenticated
	}
	return s, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
