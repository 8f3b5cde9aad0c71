// Package team is who manages a tenant in the console and what each may
// do, and the invitations that bring people in: the rules the console's
// team routes, the management API's inviteUser and its read-only check
// all call.
//
// Roles, per tenant (db.Membership.Role):
//
//   - owner: everything, and the team: inviting administrators, changing
//     their roles, removing them. A tenant keeps at least one owner.
//   - admin: everything but the team.
//   - viewer: reads everything, changes nothing; the management API
//     refuses its mutations (read_only_role), whatever the page shows.
//
// A platform owner (db.PlatformRoleOwner) acts as an owner of every
// tenant.
//
// Invitations are setup links (db.SetupLink: a random token stored
// hashed, expiring, used once) sent by email in a job
// (jobs.InvitationArgs) in the tenant's language. A user of a tenant opens
// /invitation on the tenant's host and an administrator /setup on the
// admin host; both spend the link, sign in and create a passkey.
package team

import (
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// Roles are the roles an administrator may be given in a tenant.
var Roles = []string{db.RoleOwner, db.RoleAdmin, db.RoleViewer}

// Access is what an administrator may do in one tenant: their role there,
// or db.PlatformRoleOwner for a platform owner.
type Access struct {
	Role string
	// By is the administrator acting (their user in the admin tenant),
	// named in the tenant's audit log; uuid.Nil when unknown.
	By uuid.UUID
}

// actor names the administrator in the audit log.
func (a Access) actor() string {
	if a.By == uuid.Nil {
		return audit.Anonymous
	}
	return audit.AdminActor(a.By)
}

// CanChange reports whether the role may change the tenant (every
// management mutation): all but viewers.
func (a Access) CanChange() bool {
	return a.Role == db.RoleOwner || a.Role == db.RoleAdmin || a.Role == db.PlatformRoleOwner
}

// ManagesTeam reports whether the role may invite administrators, change
// their roles and remove them: owners and platform owners.
func (a Access) ManagesTeam() bool {
	return a.Role == db.RoleOwner || a.Role == db.PlatformRoleOwner
}

// RequireChange refuses a viewer: read_only_role.
func (a Access) RequireChange() error {
	if !a.CanChange() {
		return errcode.ErrReadOnlyRole
	}
	return nil
}

// RequireTeam refuses anyone but an owner: read_only_role for a viewer,
// team_owners_only for an admin.
func (a Access) RequireTeam() error {
	if err := a.RequireChange(); err != nil {
		return err
	}
	if !a.ManagesTeam() {
		return errcode.ErrTeamOwnersOnly
	}
	return nil
}

// Service applies the team's rules.
type Service struct {
	Deps    flows.Deps
	Tenants *tenants.Service
}

func checkRole(role string) error {
	if !slices.Contains(Roles, role) {
		return flows.ErrInvalidInput.WithField("role", "Choose owner, admin or viewer.")
	}
	return nil
}

// parseInvitee checks an invitee's email address and optional name and
// returns them normalized; the name defaults to the address.
func parseInvitee(email, name string) (string, string, error) {
	kind, addr, ok := flows.ParseIdentifier(email)
	if !ok || kind != db.IdentifierEmail {
		return "", "", flows.ErrInvalidInput.WithField("email", "Enter an email address, such as ada@example.com.")
	}
	name, err := flows.CleanText("name", name, 100)
	if err != nil {
		return "", "", err
	}
	if name == "" {
		name = addr
	}
	return addr, name, nil
}
