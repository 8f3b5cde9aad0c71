package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// TeamMember is one administrator of a tenant as its team page lists
// them: the membership with the administrator's name, email address and
// whether they have made a passkey yet (an invitation not yet accepted).
type TeamMember struct {
	UserID      uuid.UUID `bun:"user_id"`
	Role        string    `bun:"role"`
	CreatedAt   time.Time `bun:"created_at"`
	DisplayName string    `bun:"display_name"`
	Email       string    `bun:"email"`
	Passkeys    int       `bun:"passkeys"`
}

// Team returns the administrators of tenant, owners first, then by email.
func (ms MembershipStore) Team(ctx context.Context, tenantID uuid.UUID) ([]*TeamMember, error) {
	if err := ms.s.check(); err != nil {
		return nil, err
	}
	var out []*TeamMember
	err := ms.s.idb.NewSelect().
		TableExpr("memberships AS m").
		Join("JOIN users AS u ON u.tenant_id = m.admin_tenant_id AND u.id = m.user_id").
		ColumnExpr("m.user_id, m.role, m.created_at, u.display_name").
		ColumnExpr("COALESCE((SELECT MIN(i.value) FROM identifiers AS i WHERE i.tenant_id = m.admin_tenant_id AND i.user_id = m.user_id AND i.kind = ?), '') AS email", IdentifierEmail).
		ColumnExpr("(SELECT COUNT(*) FROM webauthn_credentials AS c WHERE c.tenant_id = m.admin_tenant_id AND c.user_id = m.user_id) AS passkeys").
		Where("m.admin_tenant_id = ?", ms.s.tenant).
		Where("m.tenant_id = ?", tenantID).
		OrderExpr("CASE m.role WHEN ? THEN 0 WHEN ? THEN 1 ELSE 2 END, email", RoleOwner, RoleAdmin).
		Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("list team: %w", err)
	}
	return out, nil
}

// LockOwners returns the owners of tenant and, on PostgreSQL, locks their
// memberships until the transaction ends (on SQLite the transaction holds
// the write lock already): two owners demoting each other at once cannot
// both see the other still an owner.
func (ms MembershipStore) LockOwners(ctx context.Context, tenantID uuid.UUID) ([]uuid.UUID, error) {
	if err := ms.s.check(); err != nil {
		return nil, err
	}
	if _, ok := ms.s.idb.(bun.Tx); !ok {
		return nil, fmt.Errorf("lock owners: run it in a transaction (the lock lasts until commit)")
	}
	var ids []uuid.UUID
	q := ms.s.idb.NewSelect().Model((*Membership)(nil)).Column("m.user_id").
		Where("m.admin_tenant_id = ?", ms.s.tenant).
		Where("m.tenant_id = ?", tenantID).
		Where("m.role = ?", RoleOwner)
	if ms.s.dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("lock owners: %w", err)
	}
	return ids, nil
}

// Remove deletes the user's membership of tenant; ErrNotFound when there
// is none.
func (ms MembershipStore) Remove(ctx context.Context, userID, tenantID uuid.UUID) error {
	if err := ms.s.check(); err != nil {
		return err
	}
	res, err := ms.s.idb.NewDelete().Model((*Membership)(nil)).
		Where("m.admin_tenant_id = ?", ms.s.tenant).
		Where("m.user_id = ?", userID).
		Where("m.tenant_id = ?", tenantID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("membership: %w", ErrNotFound)
	}
	return nil
}
