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
func (d *DB) inPgTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) (err error) {
	conn, err := d.bun.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		if c, ok := dc.(*stdlib.Conn); ok {
			pc = c.Conn()
		}
		return nil
	}); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	btx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	tx := &Tx{tx: btx, dialect: d.dialect, apps: d.apps, watch: d.watch, hot: d.hot, hooks: d.hooks, conn: pc}
	done := false
	defer func() {
		if !done {
			_ = btx.Rollback()
		}
	}()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	done = true
	if err := btx.Commit(); err != nil {
		return err
	}
	if tx.touched {
		tx.watch.wrote()
	}
	return nil
}
