package graph

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/locale"
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

// emailRecoveryLink hands the request to flows/recovery (recovery.EmailLink),
// which enqueues the job that makes the link and emails it, in the
// transaction that records it (setup_link.created, kind recovery,
// emailed). The link never appears in the answer.
func (r *Resolver) emailRecoveryLink(ctx context.Context, userID uuid.UUID, lang *string) ([]string, error) {
	c := callerFrom(ctx)
	l := ""
	if lang != nil && *lang != "" {
		var ok bool
		if l, ok = locale.Supported(*lang); !ok {
			return nil, flows.ErrInvalidInput.WithField("lang", "Use en, es or zh-CN, or leave it out.")
		}
	}
	var to []string
	err := r.change(ctx, func(ctx context.Context, scope db.Scope) (audit.Event, error) {
		var err error
		to, err = recovery.EmailLink(ctx, scope.Tx(), r.Flows.Jobs, c.tenant.ID, userID, c.consoleAdmin, r.Tenants.Origin(c.tenant)+recovery.LinkPath, l)
		return audit.Event{Type: audit.SetupLinkCreated, User: &userID, Target: userID.String(), After: map[string]any{"kind": "recovery", "emailed": true}}, err
	})
	if err != nil {
		return nil, err
	}
	return to, nil
}
