package db

import (
	"context"

	"github.com/sesame-id/sesame/db/migrations"
)

// MigrationStatusForTest is MigrationStatus as a binary whose migrations
// are list sees it.
func (d *DB) MigrationStatusForTest(ctx context.Context, list []migrations.Migration) (MigrationStatus, error) {
	return d.migrationStatus(ctx, list)
}

// ExecForTest runs a hand-written statement, for tests that must write as
// a writer outside Sesame's stores would.
func (d *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := d.bun.ExecContext(ctx, query, args...)
	return err
}

// SettingForTest reads a PostgreSQL setting as the transaction sees it.
func (t *Tx) SettingForTest(ctx context.Context, name string) (string, error) {
	var v string
	err := t.tx.NewRaw("SELECT current_setting(?)", name).Scan(ctx, &v)
	return v, err
}

// PreparedForTest counts the statements prepared on the transaction's
// connection whose text starts with prefix.
func (t *Tx) PreparedForTest(ctx context.Context, prefix string) (int, error) {
	var n int
	err := t.tx.NewRaw("SELECT count(*) FROM pg_prepared_statements WHERE starts_with(statement, ?)", prefix).Scan(ctx, &n)
	return n, err
}
