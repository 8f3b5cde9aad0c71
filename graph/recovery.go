package graph

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/graph/model"
)

// createRecoveryLink hands the link to flows/recovery, which stores its
// hash; the link itself leaves only in this answer. The link's creation
// is recorded (setup_link.created, kind recovery) in its transaction.
func (r *Resolver) createRecoveryLink(ctx context.Context, userID uuid.UUID) (*model.RecoveryLink, error) {
	c := callerFrom(ctx)
	var token string
	var expires time.Time
	err := r.change(ctx, func(ctx context.Context, scope db.Scope) (audit.Event, error) {
		var err error
		token, expires, err = recovery.CreateLink(ctx, scope, userID, c.consoleAdmin, r.Clock.Now())
		return audit.Event{Type: audit.SetupLinkCreated, User: &userID, Target: userID.String(), After: map[string]any{"kind": "recovery"}}, err
	})
	if err != nil {
		return nil, err
	}
	return &model.RecoveryLink{URL: r.Tenants.Origin(c.tenant) + recovery.LinkPath + "#link=" + token, ExpiresAt: expires}, nil
}
