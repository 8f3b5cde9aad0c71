package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PasskeyPrompt is when the "Create a passkey?" prompt after a sign-in
// may show a user again, after the user answered "Not now".
type PasskeyPrompt struct {
	bun.BaseModel `bun:"table:passkey_prompts,alias:pp"`

	TenantID    uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	UserID      uuid.UUID `bun:"user_id,pk,type:uuid"`
	HiddenUntil time.Time `bun:"hidden_until,notnull"`
}

// PasskeyPromptStore keeps one tenant's "Not now" answers.
type PasskeyPromptStore struct{ s Scope }

// PasskeyPrompts returns the scope's passkey prompt store.
func (s Scope) PasskeyPrompts() PasskeyPromptStore { return PasskeyPromptStore{s: s} }

// Hide keeps the prompt from the user until until, replacing an earlier
// answer.
func (ps PasskeyPromptStore) Hide(ctx context.Context, userID uuid.UUID, until time.Time) error {
	if err := ps.s.check(); err != nil {
		return err
	}
	p := &PasskeyPrompt{TenantID: ps.s.tenant, UserID: userID, HiddenUntil: until.UTC()}
	_, err := ps.s.idb.NewInsert().Model(p).
		On("CONFLICT (tenant_id, user_id) DO UPDATE").
		Set("hidden_until = EXCLUDED.hidden_until").
		Exec(ctx)
	if err != nil {
		if isForeignKeyViolation(err) {
			return fmt.Errorf("passkey prompt: user: %w", ErrNotFound)
		}
		return fmt.Errorf("hide passkey prompt: %w", err)
	}
	return nil
}

// HiddenUntil returns until when the prompt stays hidden from the user;
// the zero time when the user never answered "Not now".
func (ps PasskeyPromptStore) HiddenUntil(ctx context.Context, userID uuid.UUID) (time.Time, error) {
	if err := ps.s.check(); err != nil {
		return time.Time{}, err
	}
	p := new(PasskeyPrompt)
	err := ps.s.idb.NewSelect().Model(p).
		Where("pp.tenant_id = ?", ps.s.tenant).
		Where("pp.user_id = ?", userID).
		Scan(ctx)
	if err != nil {
		if err = notFound(err, "passkey prompt"); errors.Is(err, ErrNotFound) {
			return time.Time{}, nil
		}
		return time.Time{}, err
	}
	return p.HiddenUntil, nil
}
