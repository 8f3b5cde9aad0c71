package flows

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// Setup links let a user in once without any factor, so that they can
// create their first passkey: `sesame admin create` prints one for a new
// console administrator. The token travels in the link's fragment (never
// sent to a server, never in an access log), and the page posts it once.
const (
	// SetupLinkTTL is how long a setup link works.
	SetupLinkTTL = 24 * time.Hour
	// AMRSetupLink marks a session that came from a setup link. RFC 8176
	// has no value for it; such a session proved no factor beyond holding
	// the link.
	AMRSetupLink = "setup_link"
)

// ErrSetupLinkInvalid refuses a used, expired or unknown setup link.
var ErrSetupLinkInvalid = errcode.ErrSetupLinkInvalid

// CreateSetupLink makes a one-time link token for the user of tenant t
// and records setup_link.created (never the token) on scope, in the
// caller's transaction when scope is in one.
func CreateSetupLink(ctx context.Context, scope db.Scope, t *tenants.Tenant, userID uuid.UUID, now time.Time) (string, error) {
	token, hash := NewToken()
	err := scope.SetupLinks().Create(ctx, &db.SetupLink{UserID: userID, TokenHash: hash, CreatedAt: now.UTC(), ExpiresAt: now.Add(SetupLinkTTL).UTC()})
	if err != nil {
		return "", err
	}
	e := audit.Event{Type: audit.SetupLinkCreated, User: &userID, Target: userID.String(), After: map[string]any{"kind": "setup"}}
	if err := audit.Record(ctx, scope, t.AuditPolicy(nil), now, e); err != nil {
		return "", err
	}
	return token, nil
}

// UseSetupLink spends the link token and signs its user in.
func UseSetupLink(ctx context.Context, scope db.Scope, token string, req RequestInfo, now time.Time) (*IssuedSession, error) {
	if token == "" {
		return nil, ErrSetupLinkInvalid
	}
	userID, err := scope.SetupLinks().Use(ctx, HashToken(token), now)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrSetupLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	return IssueSession(ctx, scope, userID, []string{AMRSetupLink}, req, now)
}
