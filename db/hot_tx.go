package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A transaction on PostgreSQL runs on a connection taken from the pool for
// it, and keeps that connection's pgx.Conn (Tx.conn): the hot statements
// (hot_path.go) go to pgx directly, without database/sql's per-statement
// argument conversion and per-row value wrappers, while bun's statements
// go through database/sql on the same connection. Both run one after the
// other on the goroutine that runs the transaction's function.
//
// database/sql hands the driver's connection out only inside Conn.Raw, and
// rolls a transaction back from a goroutine of its own when the context of
// its BEGIN is cancelled: that goroutine would then share the pgx.Conn with
// the function. So the BEGIN takes a context that is never cancelled
// (context.WithoutCancel: same values). The statements still take the
// function's context, and a cancelled one fails its statement, which
// rolls the transaction back here, on the same goroutine. The connection
// is held (sql.Conn) from BEGIN until it is returned to the pool, so
// nothing else uses it meanwhile.

// inPgTx is InTx on PostgreSQL.
func (d *DB) inPgTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	tx, err := d.beginPg(ctx)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback()
		}
	}()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	done = true
	return tx.Commit()
}

// beginPg is Begin on PostgreSQL: a transaction on a connection it holds
// until Commit or Rollback, with that connection's pgx.Conn.
func (d *DB) beginPg(ctx context.Context) (*Tx, error) {
	conn, err := d.bun.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		if c, ok := dc.(*stdlib.Conn); ok {
			pc = c.Conn()
		}
		return nil
	}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	btx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return &Tx{tx: btx, dialect: d.dialect, apps: d.apps, watch: d.watch, hot: d.hot, hooks: d.hooks, conn: pc, held: &conn}, nil
}

// release returns a transaction's held connection to the pool, once.
func (t *Tx) release() {
	if t.held != nil {
		_ = t.held.Close()
		t.held = nil
	}
}
