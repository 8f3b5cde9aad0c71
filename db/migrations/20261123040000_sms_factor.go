package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upSMSFactor adds the SMS second factor: one verified phone number per
// user that MFA codes go to. A row exists only once a code sent to the
// number came back, so every stored number is verified.
func upSMSFactor(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE sms_factors (
			tenant_id {uuid} NOT NULL,
			user_id {uuid} NOT NULL,
			phone TEXT NOT NULL,
			verified_at {time} NOT NULL,
			created_at {time} NOT NULL,
			PRIMARY KEY (tenant_id, user_id),
			CONSTRAINT sms_factors_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
	)
}
