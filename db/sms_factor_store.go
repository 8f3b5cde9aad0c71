package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SMSFactor is a user's verified phone number for SMS second-factor codes.
type SMSFactor struct {
	bun.BaseModel `bun:"table:sms_factors,alias:sf"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	UserID   uuid.UUID `bun:"user_id,pk,type:uuid"`
	// Phone is E.164.
	Phone      string    `bun:"phone,notnull"`
	VerifiedAt time.Time `bun:"verified_at,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

// SMSFactorStore keeps one tenant's SMS factors.
type SMSFactorStore struct{ s Scope }

// SMSFactors returns the scope's SMS factor store.
func (s Scope) SMSFactors() SMSFactorStore { return SMSFactorStore{s: s} }

// Set records phone, just proved by a code, as the user's SMS factor,
// replacing the number the user had.
func (fs SMSFactorStore) Set(ctx context.Context, userID uuid.UUID, phone string, now time.Time) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	f := &SMSFactor{TenantID: fs.s.tenant, UserID: userID, Phone: phone, VerifiedAt: now.UTC(), CreatedAt: now.UTC()}
	_, err := fs.s.idb.NewInsert().Model(f).
		On("CONFLICT (tenant_id, user_id) DO UPDATE").
		Set("phone = EXCLUDED.phone").
		Set("verified_at = EXCLUDED.verified_at").
		Exec(ctx)
	if err != nil {
		if isForeignKeyViolation(err) {
			return fmt.Errorf("SMS factor: user: %w", ErrNotFound)
		}
		return fmt.Errorf("set SMS factor: %w", err)
	}
	return nil
}

// Get returns the user's SMS factor or ErrNotFound.
func (fs SMSFactorStore) Get(ctx context.Context, userID uuid.UUID) (*SMSFactor, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	f := new(SMSFactor)
	err := fs.s.idb.NewSelect().Model(f).
		Where("sf.tenant_id = ?", fs.s.tenant).
		Where("sf.user_id = ?", userID).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "SMS factor")
	}
	return f, nil
}

// Remove deletes the user's SMS factor (ErrNotFound when there is none).
func (fs SMSFactorStore) Remove(ctx context.Context, userID uuid.UUID) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	res, err := fs.s.idb.NewDelete().Model((*SMSFactor)(nil)).
		Where("tenant_id = ?", fs.s.tenant).
		Where("user_id = ?", userID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove SMS factor: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("SMS factor: %w", ErrNotFound)
	}
	return nil
}
