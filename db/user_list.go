package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// UserPage asks for one page of a tenant's users, newest first.
type UserPage struct {
	// Limit is the most users returned (1 to 100).
	Limit int
	// After is the id of the last user of the previous page.
	After *uuid.UUID
	// Search, when set, keeps users with an identifier starting with it
	// (already normalized by the caller).
	Search string
}

// List returns a page of the tenant's users, newest first (ids are
// UUIDv7, so id order is creation order), and whether more follow. One
// statement.
func (us UserStore) List(ctx context.Context, p UserPage) ([]*User, bool, error) {
	if err := us.s.check(); err != nil {
		return nil, false, err
	}
	if p.Limit < 1 || p.Limit > 100 {
		return nil, false, fmt.Errorf("list users: limit %d is outside 1–100", p.Limit)
	}
	var out []*User
	q := us.s.idb.NewSelect().Model(&out).
		Where("u.tenant_id = ?", us.s.tenant).
		OrderExpr("u.id DESC").
		Limit(int64(p.Limit + 1))
	if p.After != nil {
		q = q.Where("u.id < ?", *p.After)
	}
	if p.Search != "" {
		q = q.Where("EXISTS (?)", us.s.idb.NewSelect().Table("identifiers").ColumnExpr("1").
			Where("identifiers.tenant_id = u.tenant_id").
			Where("identifiers.user_id = u.id").
			Where("identifiers.value LIKE ? ESCAPE '\\'", escapeLike(p.Search)+"%"))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list users: %w", err)
	}
	more := len(out) > p.Limit
	if more {
		out = out[:p.Limit]
	}
	return out, more, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// IdentifiersOf returns the identifiers of every user in ids, by user id,
// in one statement.
func (us UserStore) IdentifiersOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*Identifier, error) {
	if err := us.s.check(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*Identifier, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*Identifier
	err := us.s.idb.NewSelect().Model(&rows).
		Where("tenant_id = ?", us.s.tenant).
		Where("user_id IN (?)", bun.In(ids)).
		Order("kind", "value").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list identifiers: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r)
	}
	return out, nil
}

// Delete removes the user and, by cascade, everything that is theirs.
func (us UserStore) Delete(ctx context.Context, id uuid.UUID) error {
	if err := us.s.check(); err != nil {
		return err
	}
	res, err := us.s.idb.NewDelete().Model((*User)(nil)).
		Where("tenant_id = ?", us.s.tenant).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	return nil
}

// OfUsers returns the credentials of every user in ids, by user id, in one
// statement; rpID, when set, keeps those of that relying party.
func (cs CredentialStore) OfUsers(ctx context.Context, ids []uuid.UUID, rpID string) (map[uuid.UUID][]*Credential, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*Credential, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*Credential
	q := cs.s.idb.NewSelect().Model(&rows).
		Where("c.tenant_id = ?", cs.s.tenant).
		Where("c.user_id IN (?)", bun.In(ids)).
		Order("c.created_at", "c.id")
	if rpID != "" {
		q = q.Where("c.rp_id = ?", rpID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r)
	}
	return out, nil
}

// DeleteAll removes the user's unused and used backup codes.
func (bs BackupCodeStore) DeleteAll(ctx context.Context, userID uuid.UUID) error {
	if err := bs.s.check(); err != nil {
		return err
	}
	if _, err := bs.s.idb.NewDelete().Model((*BackupCode)(nil)).
		Where("tenant_id = ?", bs.s.tenant).
		Where("user_id = ?", userID).
		Exec(ctx); err != nil {
		return fmt.Errorf("delete backup codes: %w", err)
	}
	return nil
}
