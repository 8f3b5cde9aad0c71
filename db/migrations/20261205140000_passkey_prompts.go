package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upPasskeyPrompts keeps, per user, until when the "Create a passkey?"
// prompt after a sign-in stays hidden: the user answered "Not now" and the
// tenant's interval runs (tenants.PasskeyOffers.PromptIntervalDays).
func upPasskeyPrompts(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE passkey_prompts (
			tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			hidden_until {time} NOT NULL,
			PRIMARY KEY (tenant_id, user_id),
			CONSTRAINT passkey_prompts_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
	)
}
