package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// upTenantChanges adds the tenant change counter: one row whose epoch
// every statement that writes tenants or domains bumps, by trigger, in the
// writer's own transaction. Each process's tenant cache reads this one
// row a few times a second and drops what it holds when the epoch moved,
// so a change made by any writer (another server, the CLI, a hand-written
// statement) reaches every process without a per-request read. A trigger
// rather than a call in each store: nothing that writes these tables can
// forget it, cascades included.
func upTenantChanges(ctx context.Context, tx bun.Tx, dialect string) error {
	stmts := []string{
		`CREATE TABLE tenant_changes (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			epoch BIGINT NOT NULL
		)`,
		`INSERT INTO tenant_changes (id, epoch) VALUES (1, 1)`,
	}
	if dialect == "postgres" {
		stmts = append(stmts,
			`CREATE FUNCTION sesame_tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				UPDATE tenant_changes SET epoch = epoch + 1 WHERE id = 1;
				RETURN NULL;
			END
			$$`,
			`CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE OR DELETE ON tenants
				FOR EACH STATEMENT EXECUTE FUNCTION sesame_tenant_changed()`,
			`CREATE TRIGGER domains_changed AFTER INSERT OR UPDATE OR DELETE ON domains
				FOR EACH STATEMENT EXECUTE FUNCTION sesame_tenant_changed()`,
		)
	} else {
		// SQLite has row triggers only, one per event.
		for _, table := range []string{"tenants", "domains"} {
			for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, `CREATE TRIGGER `+table+`_changed_`+event+` AFTER `+event+` ON `+table+`
					BEGIN UPDATE tenant_changes SET epoch = epoch + 1 WHERE id = 1; END`)
			}
		}
	}
	return execAll(ctx, tx, dialect, stmts...)
}
