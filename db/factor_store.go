package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// TOTPFactor is a user's authenticator-app secret.
type TOTPFactor struct {
	bun.BaseModel `bun:"table:totp_factors,alias:tf"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	UserID   uuid.UUID `bun:"user_id,pk,type:uuid"`
	// Secret is base32, as authenticator apps take it.
	Secret string `bun:"secret,notnull"`
	// LastStep is the time step of the last accepted code; a code of this
	// step or an earlier one is a replay.
	LastStep int64 `bun:"last_step,notnull"`
	// ConfirmedAt is set once the user proved the app works with a first
	// code; until then the factor does not count.
	ConfirmedAt *time.Time `bun:"confirmed_at"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
}

// ErrReplayed is returned when a TOTP time step was already used.
var ErrReplayed = errors.New("this code was already used; wait for the next one")

// TOTPStore keeps one tenant's TOTP factors.
type TOTPStore struct{ s Scope }

// TOTP returns the scope's TOTP store.
func (s Scope) TOTP() TOTPStore { return TOTPStore{s: s} }

// Start stores a new, unconfirmed secret for the user, replacing an
// unconfirmed one. A confirmed factor is not replaced: remove it first
// (ErrDuplicate).
func (ts TOTPStore) Start(ctx context.Context, userID uuid.UUID, secret string, now time.Time) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	if _, err := ts.s.idb.NewDelete().Model((*TOTPFactor)(nil)).
		Where("tenant_id = ?", ts.s.tenant).
		Where("user_id = ?", userID).
		Where("confirmed_at IS NULL").
		Exec(ctx); err != nil {
		return fmt.Errorf("drop unconfirmed TOTP: %w", err)
	}
	f := &TOTPFactor{TenantID: ts.s.tenant, UserID: userID, Secret: secret, CreatedAt: now.UTC()}
	if _, err := ts.s.idb.NewInsert().Model(f).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("TOTP factor: %w", ErrDuplicate)
		}
		return fmt.Errorf("start TOTP: %w", err)
	}
	return nil
}

// Get returns the user's TOTP factor, confirmed or not, or ErrNotFound.
func (ts TOTPStore) Get(ctx context.Context, userID uuid.UUID) (*TOTPFactor, error) {
	if err := ts.s.check(); err != nil {
		return nil, err
	}
	f := new(TOTPFactor)
	err := ts.s.idb.NewSelect().Model(f).
		Where("tf.tenant_id = ?", ts.s.tenant).
		Where("tf.user_id = ?", userID).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "TOTP factor")
	}
	return f, nil
}

// Accept records step as used, confirming the factor if it was not yet,
// in one atomic statement: of two requests with the same code only one
// succeeds, and a step not after the last accepted one returns
// ErrReplayed.
func (ts TOTPStore) Accept(ctx context.Context, userID uuid.UUID, step int64, now time.Time) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	res, err := ts.s.idb.NewUpdate().Model((*TOTPFactor)(nil)).
		Set("last_step = ?", step).
		Set("confirmed_at = COALESCE(confirmed_at, ?)", now.UTC()).
		Where("tenant_id = ?", ts.s.tenant).
		Where("user_id = ?", userID).
		Where("last_step < ?", step).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("accept TOTP step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := ts.Get(ctx, userID); err != nil {
			return err
		}
		return ErrReplayed
	}
	return nil
}

// Remove deletes the user's TOTP factor.
func (ts TOTPStore) Remove(ctx context.Context, userID uuid.UUID) error {
	if err := ts.s.check(); err != nil {
		return err
	}
	res, err := ts.s.idb.NewDelete().Model((*TOTPFactor)(nil)).
		Where("tenant_id = ?", ts.s.tenant).
		Where("user_id = ?", userID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove TOTP: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("TOTP factor: %w", ErrNotFound)
	}
	return nil
}

// BackupCode is one hashed backup code.
type BackupCode struct {
	bun.BaseModel `bun:"table:backup_codes,alias:bc"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	CodeHash  []byte     `bun:"code_hash,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
}

// BackupCodeStore keeps one tenant's backup codes.
type BackupCodeStore struct{ s Scope }

// BackupCodes returns the scope's backup code store.
func (s Scope) BackupCodes() BackupCodeStore { return BackupCodeStore{s: s} }

// Replace deletes the user's backup codes and stores hashes as the new
// set. Run it in a transaction so the user is never left without codes.
func (bs BackupCodeStore) Replace(ctx context.Context, userID uuid.UUID, hashes [][]byte, now time.Time) error {
	if err := bs.s.check(); err != nil {
		return err
	}
	if _, err := bs.s.idb.NewDelete().Model((*BackupCode)(nil)).
		Where("tenant_id = ?", bs.s.tenant).
		Where("user_id = ?", userID).
		Exec(ctx); err != nil {
		return fmt.Errorf("drop backup codes: %w", err)
	}
	if len(hashes) == 0 {
		return nil
	}
	rows := make([]*BackupCode, len(hashes))
	for i, h := range hashes {
		rows[i] = &BackupCode{ID: uuid.Must(uuid.NewV7()), TenantID: bs.s.tenant, UserID: userID, CodeHash: h, CreatedAt: now.UTC()}
	}
	if _, err := bs.s.idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("store backup codes: %w", err)
	}
	return nil
}

// Unused returns the user's unused backup codes, oldest first.
func (bs BackupCodeStore) Unused(ctx context.Context, userID uuid.UUID) ([]*BackupCode, error) {
	if err := bs.s.check(); err != nil {
		return nil, err
	}
	var out []*BackupCode
	err := bs.s.idb.NewSelect().Model(&out).
		Where("bc.tenant_id = ?", bs.s.tenant).
		Where("bc.user_id = ?", userID).
		Where("bc.used_at IS NULL").
		Order("bc.created_at", "bc.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list backup codes: %w", err)
	}
	return out, nil
}

// Use marks the user's backup code id used. A code already used returns
// ErrNotFound: of two requests with the same code only one succeeds.
func (bs BackupCodeStore) Use(ctx context.Context, userID, id uuid.UUID, now time.Time) error {
	if err := bs.s.check(); err != nil {
		return err
	}
	res, err := bs.s.idb.NewUpdate().Model((*BackupCode)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("tenant_id = ?", bs.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Where("used_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("use backup code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("backup code: %w", ErrNotFound)
	}
	return nil
}
