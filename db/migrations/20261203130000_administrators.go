package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upAdministrators adds the administrator record: a user of the admin
// tenant reaches the console only with one, and its role says what they
// may do there (platform_owner: every tenant, and creating tenants;
// member: only the tenants of their memberships). Only setup writes it
// (`sesame admin create`, `serve --demo`), never sign-up.
//
// Administrators made before this migration were made by `sesame admin
// create`, which gave each a setup link; sign-up never did. So the users
// of the admin tenant with a setup link become platform owners (before,
// every administrator could create tenants), and the others, which only
// the open sign-up could have made, get no record and so no console.
func upAdministrators(ctx context.Context, tx bun.Tx, dialect string) error {
	return execAll(ctx, tx, dialect,
		`CREATE TABLE administrators (
			admin_tenant_id {uuid} NOT NULL,
			user_id {uuid} PRIMARY KEY,
			role TEXT NOT NULL CHECK (role IN ('platform_owner', 'member')),
			created_at {time} NOT NULL,
			CONSTRAINT administrators_user_fkey FOREIGN KEY (admin_tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
		)`,
		`INSERT INTO administrators (admin_tenant_id, user_id, role, created_at)
			SELECT sl.tenant_id, sl.user_id, 'platform_owner', MIN(sl.created_at)
			FROM setup_links sl JOIN tenants t ON t.id = sl.tenant_id
			WHERE t.slug = 'admin'
			GROUP BY sl.tenant_id, sl.user_id`,
	)
}
