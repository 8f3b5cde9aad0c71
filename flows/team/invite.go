package team

import (
	"context"
	"crypto/rand"
	"errors"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// InvitationPath is the tenant host's page an invitation opens.
const InvitationPath = "/invitation"

// newUser makes a user whose email address is vouched for by whoever
// invites them (it counts as verified, as for users an administrator
// creates): the invitee proves it again by opening the emailed link.
func (s *Service) newUser(ctx context.Context, scope db.Scope, email, name string) (*db.User, error) {
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	u := &db.User{WebAuthnHandle: handle, DisplayName: name}
	vouched := s.Deps.Clock.Now().UTC()
	if err := scope.Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: email, VerifiedAt: &vouched}); err != nil {
		return nil, err
	}
	return u, nil
}

// InviteUser creates a user of t with email (and name, by default the
// address) and emails them an invitation link to t's host, where they
// create a passkey. An address already in use is user_exists.
func (s *Service) InviteUser(ctx context.Context, t *tenants.Tenant, email, name string) (*db.User, error) {
	email, name, err := parseInvitee(email, name)
	if err != nil {
		return nil, err
	}
	var u *db.User
	err = s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(t.ID)
		if _, err := scope.Users().ByIdentifier(ctx, db.IdentifierEmail, email); err == nil {
			return errcode.ErrUserExists
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if u, err = s.newUser(ctx, scope, email, name); err != nil {
			return err
		}
		args := jobs.InvitationArgs{TenantID: t.ID, UserID: u.ID, To: email, TenantName: t.Name,
			Link: s.Tenants.Origin(t) + InvitationPath, WithToken: true, Lang: t.Settings.DefaultLocale}
		_, err = s.Deps.Jobs.InsertTx(ctx, tx.SQL(), args, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// InviteAdmin makes the person with email an administrator of t with
// role, as asked by an administrator with access a (owners only). A new
// person becomes a user of the admin tenant with an administrator record
// (db.PlatformRoleMember) and gets a link to the admin host's /setup page,
// where they create a passkey; an existing administrator gets an email
// that leads to the tenant in the console.
func (s *Service) InviteAdmin(ctx context.Context, a Access, t *tenants.Tenant, email, name, role string) (*db.TeamMember, error) {
	if err := a.RequireTeam(); err != nil {
		return nil, err
	}
	if err := checkRole(role); err != nil {
		return nil, err
	}
	email, name, err := parseInvitee(email, name)
	if err != nil {
		return nil, err
	}
	admin, err := s.Tenants.EnsureAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var m *db.TeamMember
	err = s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(admin.ID)
		u, created, err := s.adminUser(ctx, scope, email, name)
		if err != nil {
			return err
		}
		if _, err := scope.Memberships().Role(ctx, u.ID, t.ID); err == nil {
			return errcode.ErrAlreadyTeamMember
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		now := s.Deps.Clock.Now()
		if err := scope.Memberships().Add(ctx, u.ID, t.ID, role, now); err != nil {
			return err
		}
		e := audit.Event{Type: audit.TeamInvited, Actor: a.actor(), Target: u.ID.String(), After: map[string]any{"role": role}}
		if err := flows.RecordAudit(ctx, tx.ForTenant(t.ID), t, s.Deps.Jobs, now, e); err != nil {
			return err
		}
		args := jobs.InvitationArgs{TenantID: admin.ID, UserID: u.ID, To: email, TenantName: t.Name,
			Link: s.Tenants.Origin(admin) + "/console/tenants/" + t.Slug, WithToken: created,
			Administrator: true, Role: role, Lang: t.Settings.DefaultLocale}
		if created {
			args.Link = s.Tenants.Origin(admin) + "/setup"
		}
		if _, err := s.Deps.Jobs.InsertTx(ctx, tx.SQL(), args, nil); err != nil {
			return err
		}
		m = &db.TeamMember{UserID: u.ID, Role: role, CreatedAt: now.UTC(), DisplayName: u.DisplayName, Email: email}
		return nil
	})
	return m, err
}

// adminUser finds the admin tenant's user with email, or creates them;
// either way they leave with an administrator record (a new one is a
// member: only the tenants of their memberships).
func (s *Service) adminUser(ctx context.Context, scope db.Scope, email, name string) (*db.User, bool, error) {
	u, err := scope.Users().ByIdentifier(ctx, db.IdentifierEmail, email)
	created := false
	switch {
	case errors.Is(err, db.ErrNotFound):
		if u, err = s.newUser(ctx, scope, email, name); err != nil {
			return nil, false, err
		}
		created = true
	case err != nil:
		return nil, false, err
	}
	if _, err := scope.Administrators().Role(ctx, u.ID); errors.Is(err, db.ErrNotFound) {
		if err := scope.Administrators().Grant(ctx, u.ID, db.PlatformRoleMember, s.Deps.Clock.Now()); err != nil {
			return nil, false, err
		}
	} else if err != nil {
		return nil, false, err
	}
	return u, created, nil
}

// SetRole gives the administrator userID the role in t, as asked by an
// administrator with access a (owners only). The last owner cannot be
// made anything else (last_owner).
func (s *Service) SetRole(ctx context.Context, a Access, t *tenants.Tenant, userID uuid.UUID, role string) error {
	if err := a.RequireTeam(); err != nil {
		return err
	}
	if err := checkRole(role); err != nil {
		return err
	}
	e := audit.Event{Type: audit.TeamRoleChanged, Actor: a.actor(), Target: userID.String(), After: map[string]any{"role": role}}
	return s.change(ctx, t, userID, role != db.RoleOwner, e, func(ctx context.Context, scope db.Scope) error {
		return scope.Memberships().Add(ctx, userID, t.ID, role, s.Deps.Clock.Now())
	})
}

// Remove takes the administrator userID off t's team, as asked by an
// administrator with access a (owners only); never the last owner.
func (s *Service) Remove(ctx context.Context, a Access, t *tenants.Tenant, userID uuid.UUID) error {
	if err := a.RequireTeam(); err != nil {
		return err
	}
	e := audit.Event{Type: audit.TeamRemoved, Actor: a.actor(), Target: userID.String()}
	return s.change(ctx, t, userID, true, e, func(ctx context.Context, scope db.Scope) error {
		return scope.Memberships().Remove(ctx, userID, t.ID)
	})
}

// change runs apply on userID's membership of t in a transaction that
// first locks t's owners (db.MembershipStore.LockOwners); when the change
// takes an owner away (losesOwner) it refuses to take the last one. It
// records e, with the role before, in t's audit log in the transaction.
func (s *Service) change(ctx context.Context, t *tenants.Tenant, userID uuid.UUID, losesOwner bool, e audit.Event, apply func(context.Context, db.Scope) error) error {
	admin, err := s.Tenants.EnsureAdmin(ctx)
	if err != nil {
		return err
	}
	return s.Deps.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(admin.ID)
		owners, err := scope.Memberships().LockOwners(ctx, t.ID)
		if err != nil {
			return err
		}
		current, err := scope.Memberships().Role(ctx, userID, t.ID)
		if err != nil {
			return err
		}
		if losesOwner && current == db.RoleOwner && len(owners) <= 1 {
			return errcode.ErrLastOwner
		}
		if err := apply(ctx, scope); err != nil {
			return err
		}
		e.Before = map[string]any{"role": current}
		return flows.RecordAudit(ctx, tx.ForTenant(t.ID), t, s.Deps.Jobs, s.Deps.Clock.Now(), e)
	})
}

// Team lists t's administrators.
func (s *Service) Team(ctx context.Context, t *tenants.Tenant) ([]*db.TeamMember, error) {
	admin, err := s.Tenants.EnsureAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return s.Deps.DB.ForTenant(admin.ID).Memberships().Team(ctx, t.ID)
}
