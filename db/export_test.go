package db

import "context"

// ExecForTest runs a hand-written statement, for tests that must write as
// a writer outside Sesame's stores would.
func (d *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := d.bun.ExecContext(ctx, query, args...)
	return err
}
