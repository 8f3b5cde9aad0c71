package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The account center's changes to a user: its name, its identifiers and
// its deletion.

// SetDisplayName stores the user's name, already checked.
func (us UserStore) SetDisplayName(ctx context.Context, userID uuid.UUID, name string) error {
	return us.update(ctx, userID, "display_name = ?", name)
}

// SetLocale stores the user's preferred language, already checked ("" for
// none).
func (us UserStore) SetLocale(ctx context.Context, userID uuid.UUID, tag string) error {
	return us.update(ctx, userID, "locale = ?", tag)
}

// SetDeleteAfter marks the user pending deletion from at, or with nil
// clears the mark.
func (us UserStore) SetDeleteAfter(ctx context.Context, userID uuid.UUID, at *time.Time) error {
	if at != nil {
		utc := at.UTC()
		at = &utc
	}
	return us.update(ctx, userID, "delete_after = ?", at)
}

// AddIdentifier inserts id for the user, verified at verifiedAt. A value
// another user of the tenant holds returns ErrDuplicate.
func (us UserStore) AddIdentifier(ctx context.Context, userID uuid.UUID, id *Identifier, verifiedAt time.Time) error {
	if err := us.s.check(); err != nil {
		return err
	}
	if id.ID == uuid.Nil {
		id.ID = uuid.Must(uuid.NewV7())
	}
	at := verifiedAt.UTC()
	id.TenantID, id.UserID, id.VerifiedAt, id.CreatedAt = us.s.tenant, userID, &at, at
	if _, err := us.s.idb.NewInsert().Model(id).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("identifier: %w", ErrDuplicate)
		}
		return fmt.Errorf("add identifier: %w", err)
	}
	return nil
}

// MarkIdentifierVerified records that the user proved their identifier
// id at at.
func (us UserStore) MarkIdentifierVerified(ctx context.Context, userID, id uuid.UUID, at time.Time) error {
	return us.identifierChange(ctx, userID, id, func() (int64, error) {
		res, err := us.s.idb.NewUpdate().Model((*Identifier)(nil)).
			Set("verified_at = ?", at.UTC()).
			Where("tenant_id = ?", us.s.tenant).Where("user_id = ?", userID).Where("id = ?", id).
			Exec(ctx)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

// RemoveIdentifier deletes the user's identifier id.
func (us UserStore) RemoveIdentifier(ctx context.Context, userID, id uuid.UUID) error {
	return us.identifierChange(ctx, userID, id, func() (int64, error) {
		res, err := us.s.idb.NewDelete().Model((*Identifier)(nil)).
			Where("tenant_id = ?", us.s.tenant).Where("user_id = ?", userID).Where("id = ?", id).
			Exec(ctx)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

func (us UserStore) identifierChange(_ context.Context, userID, id uuid.UUID, run func() (int64, error)) error {
	if err := us.s.check(); err != nil {
		return err
	}
	n, err := run()
	if err != nil {
		return fmt.Errorf("change identifier %s of user %s: %w", id, userID, err)
	}
	if n == 0 {
		return fmt.Errorf("identifier %s: %w", id, ErrNotFound)
	}
	return nil
}
