package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/graph/model"
)

// createRecoveryLink hands the link to flows/recovery, which stores its
// hash; the link itself leaves only in this answer.
func (r *Resolver) createRecoveryLink(ctx context.Context, userID uuid.UUID) (*model.RecoveryLink, error) {
	c := callerFrom(ctx)
	token, expires, err := recovery.CreateLink(ctx, c.scope, userID, c.consoleAdmin, r.Clock.Now())
	if err != nil {
		return nil, err
	}
	return &model.RecoveryLink{URL: r.Tenants.Origin(c.tenant) + recovery.LinkPath + "#link=" + token, ExpiresAt: expires}, nil
}
