package app

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows/account"
)

// accountRemover is the account-deletion job's remover. The job client is
// made before the flows' dependencies (which insert jobs through it), so
// the account service is set once those exist, before the jobs start.
type accountRemover struct{ svc *account.Service }

// RemoveAccount implements jobs.AccountRemover with the account service.
func (r *accountRemover) RemoveAccount(ctx context.Context, tenantID, userID uuid.UUID) (time.Time, error) {
	if r.svc == nil {
		return time.Time{}, errors.New("account remover: the account service is not set yet")
	}
	return r.svc.RemoveAccount(ctx, tenantID, userID)
}
