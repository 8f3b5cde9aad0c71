package graph

import (
	"context"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/team"
)

// inviteUser hands the invitation to flows/team, which creates the user
// and enqueues the email.
func (r *Resolver) inviteUser(ctx context.Context, email string, name *string) (*db.User, error) {
	c := callerFrom(ctx)
	n := ""
	if name != nil {
		n = *name
	}
	svc := &team.Service{Deps: r.Flows, Tenants: r.Tenants}
	return svc.InviteUser(ctx, c.tenant, email, n)
}
