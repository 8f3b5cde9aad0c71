package db

import "context"

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
