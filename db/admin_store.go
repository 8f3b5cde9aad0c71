package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Membership roles.
const (
	RoleOwner = "owner"
	RoleAdmin = "admin"
	// RoleViewer sees the tenant in the console and changes nothing.
	RoleViewer = "viewer"
)

// Membership says that a user of the admin tenant manages a tenant.
type Membership struct {
	bun.BaseModel `bun:"table:memberships,alias:m"`

	AdminTenantID uuid.UUID `bun:"admin_tenant_id,notnull,type:uuid"`
	UserID        uuid.UUID `bun:"user_id,pk,type:uuid"`
	TenantID      uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	Role          string    `bun:"role,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`

	// Tenant is loaded by Of.
	Tenant *Tenant `bun:"rel:belongs-to,join:tenant_id=id"`
}

// MembershipStore keeps the memberships of the admin tenant's users; get
// it from the admin tenant's scope.
type MembershipStore struct{ s Scope }

// Memberships returns the scope's membership store.
func (s Scope) Memberships() MembershipStore { return MembershipStore{s: s} }

// Add makes the user a member of tenant with role (replacing the role of
// an existing membership).
func (ms MembershipStore) Add(ctx context.Context, userID, tenantID uuid.UUID, role string, now time.Time) error {
	if err := ms.s.check(); err != nil {
		return err
	}
	if role != RoleOwner && role != RoleAdmin && role != RoleViewer {
		return fmt.Errorf("membership: role %q is not owner, admin or viewer", role)
	}
	m := &Membership{AdminTenantID: ms.s.tenant, UserID: userID, TenantID: tenantID, Role: role, CreatedAt: now.UTC()}
	// The conflict update is limited to the scope's own rows: the foreign
	// key that ties the user to the admin tenant is not checked when an
	// upsert updates a row, so without the WHERE another tenant's scope
	// could change the role of this tenant's member.
	res, err := ms.s.idb.NewInsert().Model(m).
		On("CONFLICT (user_id, tenant_id) DO UPDATE").
		Set("role = EXCLUDED.role").
		Where("m.admin_tenant_id = EXCLUDED.admin_tenant_id").
		Exec(ctx)
	if err != nil {
		if isForeignKeyViolation(err) {
			return fmt.Errorf("membership: user or tenant: %w", ErrNotFound)
		}
		return fmt.Errorf("add membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("membership: user: %w", ErrNotFound)
	}
	return nil
}

// Of returns the user's memberships with their tenants, by tenant slug.
func (ms MembershipStore) Of(ctx context.Context, userID uuid.UUID) ([]*Membership, error) {
	if err := ms.s.check(); err != nil {
		return nil, err
	}
	var out []*Membership
	err := ms.s.idb.NewSelect().Model(&out).
		Relation("Tenant").
		Where("m.admin_tenant_id = ?", ms.s.tenant).
		Where("m.user_id = ?", userID).
		OrderExpr("tenant.slug").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	return out, nil
}

// Role returns the user's role in tenant, or ErrNotFound when the user
// does not manage it.
func (ms MembershipStore) Role(ctx context.Context, userID, tenantID uuid.UUID) (string, error) {
	if err := ms.s.check(); err != nil {
		return "", err
	}
	m := new(Membership)
	err := ms.s.idb.NewSelect().Model(m).
		Where("m.admin_tenant_id = ?", ms.s.tenant).
		Where("m.user_id = ?", userID).
		Where("m.tenant_id = ?", tenantID).
		Scan(ctx)
	if err != nil {
		return "", notFound(err, "membership")
	}
	return m.Role, nil
}

// Administrator roles: what an administrator may do in the console.
const (
	// PlatformRoleOwner sees and manages every tenant and may create
	// tenants.
	PlatformRoleOwner = "platform_owner"
	// PlatformRoleMember manages only the tenants of their memberships
	// and may not create tenants.
	PlatformRoleMember = "member"
)

// Administrator is the record that makes a user of the admin tenant a
// console administrator. A session of the admin tenant is not enough to
// use the console: its user needs this record, which only setup writes
// (`sesame admin create`, `serve --demo`), never sign-up.
type Administrator struct {
	bun.BaseModel `bun:"table:administrators,alias:adm"`

	AdminTenantID uuid.UUID `bun:"admin_tenant_id,notnull,type:uuid"`
	UserID        uuid.UUID `bun:"user_id,pk,type:uuid"`
	Role          string    `bun:"role,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

// AdministratorStore keeps the administrator records of the admin
// tenant's users; get it from the admin tenant's scope.
type AdministratorStore struct{ s Scope }

// Administrators returns the scope's administrator store.
func (s Scope) Administrators() AdministratorStore { return AdministratorStore{s: s} }

// Grant makes the user an administrator with role, or changes the role of
// an administrator. ErrNotFound when the scope has no such user.
func (as AdministratorStore) Grant(ctx context.Context, userID uuid.UUID, role string, now time.Time) error {
	if err := as.s.check(); err != nil {
		return err
	}
	if role != PlatformRoleOwner && role != PlatformRoleMember {
		return fmt.Errorf("administrator: role %q is neither %s nor %s", role, PlatformRoleOwner, PlatformRoleMember)
	}
	a := &Administrator{AdminTenantID: as.s.tenant, UserID: userID, Role: role, CreatedAt: now.UTC()}
	// As in MembershipStore.Add, the conflict update is limited to the
	// scope's own rows: an upsert's update skips the foreign key check.
	res, err := as.s.idb.NewInsert().Model(a).
		On("CONFLICT (user_id) DO UPDATE").
		Set("role = EXCLUDED.role").
		Where("adm.admin_tenant_id = EXCLUDED.admin_tenant_id").
		Exec(ctx)
	if err != nil {
		if isForeignKeyViolation(err) {
			return fmt.Errorf("administrator: user: %w", ErrNotFound)
		}
		return fmt.Errorf("grant administrator: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("administrator: user: %w", ErrNotFound)
	}
	return nil
}

// Role returns the user's administrator role, or ErrNotFound when the user
// is no administrator.
func (as AdministratorStore) Role(ctx context.Context, userID uuid.UUID) (string, error) {
	if err := as.s.check(); err != nil {
		return "", err
	}
	a := new(Administrator)
	err := as.s.idb.NewSelect().Model(a).
		Where("adm.admin_tenant_id = ?", as.s.tenant).
		Where("adm.user_id = ?", userID).
		Scan(ctx)
	if err != nil {
		return "", notFound(err, "administrator")
	}
	return a.Role, nil
}

// SetupLink is a one-time link that lets its user in once.
type SetupLink struct {
	bun.BaseModel `bun:"table:setup_links,alias:sl"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	TokenHash []byte     `bun:"token_hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

// SetupLinkStore keeps one tenant's setup links.
type SetupLinkStore struct{ s Scope }

// SetupLinks returns the scope's setup link store.
func (s Scope) SetupLinks() SetupLinkStore { return SetupLinkStore{s: s} }

// Create stores a link for the user.
func (ls SetupLinkStore) Create(ctx context.Context, l *SetupLink) error {
	if err := ls.s.check(); err != nil {
		return err
	}
	if l.ID == uuid.Nil {
		l.ID = uuid.Must(uuid.NewV7())
	}
	l.TenantID = ls.s.tenant
	if _, err := ls.s.idb.NewInsert().Model(l).Exec(ctx); err != nil {
		if isForeignKeyViolation(err) {
			return fmt.Errorf("setup link: user: %w", ErrNotFound)
		}
		return fmt.Errorf("create setup link: %w", err)
	}
	return nil
}

// Use marks the unexpired, unused link with tokenHash used and returns its
// user, in one statement: of two requests with the same link one wins.
// ErrNotFound otherwise.
func (ls SetupLinkStore) Use(ctx context.Context, tokenHash []byte, now time.Time) (uuid.UUID, error) {
	if err := ls.s.check(); err != nil {
		return uuid.Nil, err
	}
	var userID uuid.UUID
	err := ls.s.idb.NewUpdate().Model((*SetupLink)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("tenant_id = ?", ls.s.tenant).
		Where("token_hash = ?", tokenHash).
		Where("used_at IS NULL").
		Where("expires_at > ?", now.UTC()).
		Returning("user_id").
		Scan(ctx, &userID)
	if err != nil {
		return uuid.Nil, notFound(err, "setup link")
	}
	return userID, nil
}
