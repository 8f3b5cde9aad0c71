package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// RecoveryLink is a one-time link an administrator made for a user: it
// opens the recovery flow at the step that creates a new passkey. Only
// the token's hash is stored.
type RecoveryLink struct {
	bun.BaseModel `bun:"table:recovery_links,alias:rl"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	UserID    uuid.UUID `bun:"user_id,notnull,type:uuid"`
	TokenHash []byte    `bun:"token_hash,notnull"`
	// CreatedBy is the administrator's user id (in the admin tenant), nil
	// when made by an API key.
	CreatedBy *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

// RecoveryLinkStore keeps one tenant's recovery links.
type RecoveryLinkStore struct{ s Scope }

// RecoveryLinks returns the scope's recovery link store.
func (s Scope) RecoveryLinks() RecoveryLinkStore { return RecoveryLinkStore{s: s} }

// Create stores a link for the user; a user not in the tenant is
// ErrNotFound.
func (ls RecoveryLinkStore) Create(ctx context.Context, l *RecoveryLink) error {
	if err := ls.s.check(); err != nil {
		return err
	}
	if l.ID == uuid.Nil {
		l.ID = uuid.Must(uuid.NewV7())
	}
	l.TenantID = ls.s.tenant
	if _, err := ls.s.idb.NewInsert().Model(l).Exec(ctx); err != nil {
		if isForeignKeyViolation(err) {
			return fmt.Errorf("recovery link: user: %w", ErrNotFound)
		}
		return fmt.Errorf("create recovery link: %w", err)
	}
	return nil
}

// Use marks the unexpired, unused link with tokenHash used and returns its
// user, in one statement: of any number of requests with the same link,
// one wins. ErrNotFound otherwise.
func (ls RecoveryLinkStore) Use(ctx context.Context, tokenHash []byte, now time.Time) (uuid.UUID, error) {
	if err := ls.s.check(); err != nil {
		return uuid.Nil, err
	}
	var userID uuid.UUID
	err := ls.s.idb.NewUpdate().Model((*RecoveryLink)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("tenant_id = ?", ls.s.tenant).
		Where("token_hash = ?", tokenHash).
		Where("used_at IS NULL").
		Where("expires_at > ?", now.UTC()).
		Returning("user_id").
		Scan(ctx, &userID)
	if err != nil {
		return uuid.Nil, notFound(err, "recovery link")
	}
	return userID, nil
}
