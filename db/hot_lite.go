package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// On SQLite the passkey sign-in's statements (the same text as on
// PostgreSQL, hot_path.go) are prepared once on the one connection, after
// the migrations (DB.MigrateWith), and reused, inside a transaction
// through sql.Tx.StmtContext, which finds the statement already prepared
// on the transaction's connection. bun renders its arguments into each
// statement's text, so SQLite would otherwise parse and plan every
// statement of every sign-in; with one connection that work holds the
// connection, and every other request waits for it. The arguments are
// written as bun writes them (liteArgs: times in bun's text format), so
// these statements and bun's read and compare the same values
// (hot_path_test.go holds both paths to the same rows).

// liteStmt is one hot statement and, once prepared, its *sql.Stmt.
type liteStmt struct {
	hotStmt
	stmt *sql.Stmt
}

// liteStmts are a SQLite database's prepared sign-in statements.
type liteStmts struct {
	mu                                                                     sync.Mutex
	ready                                                                  atomic.Bool
	createFlow, takeFlow, credentialForSignIn, recordSignIn, createSession liteStmt
}

func newLiteStmts(b *bun.DB) *liteStmts {
	return &liteStmts{
		createFlow:          liteStmt{hotStmt: hotStmt{text: sqlCreateFlow, iq: b.NewInsert().Model((*Flow)(nil))}},
		takeFlow:            liteStmt{hotStmt: hotStmt{text: sqlTakeFlow, iq: b.NewDelete().Model((*Flow)(nil))}},
		credentialForSignIn: liteStmt{hotStmt: hotStmt{text: sqlCredentialForSignIn, iq: b.NewSelect().Model((*Credential)(nil))}},
		recordSignIn:        liteStmt{hotStmt: hotStmt{text: sqlRecordSignIn, iq: b.NewUpdate().Model((*Credential)(nil))}},
		createSession:       liteStmt{hotStmt: hotStmt{text: sqlCreateSession, iq: b.NewInsert().Model((*Session)(nil))}},
	}
}

// prepare prepares every statement on db, once; until then (and if it
// fails) the stores use bun.
func (l *liteStmts) prepare(ctx context.Context, db *sql.DB) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ready.Load() {
		return nil
	}
	for _, st := range []*liteStmt{&l.createFlow, &l.takeFlow, &l.credentialForSignIn, &l.recordSignIn, &l.createSession} {
		s, err := db.PrepareContext(ctx, st.text)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", st.text, err)
		}
		st.stmt = s
	}
	l.ready.Store(true)
	return nil
}

// lite returns the scope's prepared SQLite statements, nil when there
// are none (PostgreSQL, or not yet prepared).
func (s Scope) lite() *liteStmts {
	if s.liteStmts != nil && s.liteStmts.ready.Load() {
		return s.liteStmts
	}
	return nil
}

// liteOn is st for the scope: the transaction's, or the database's.
func (s Scope) liteOn(ctx context.Context, st *liteStmt) *sql.Stmt {
	if s.tx != nil {
		return s.tx.tx.Tx.StmtContext(ctx, st.stmt)
	}
	return st.stmt
}

// liteExec runs a prepared statement that returns no rows.
func (s Scope) liteExec(ctx context.Context, st *liteStmt, args ...any) (sql.Result, error) {
	ctx, ev := s.beforeHot(ctx, st.hotStmt, args)
	res, err := s.liteOn(ctx, st).ExecContext(ctx, liteArgs(args)...)
	s.afterHot(ctx, ev, res, err)
	return res, err
}

// liteQuery runs a prepared statement that returns rows; scan reads the
// one row. No row is sql.ErrNoRows.
func (s Scope) liteQuery(ctx context.Context, st *liteStmt, scan func(rowScanner) error, args ...any) error {
	ctx, ev := s.beforeHot(ctx, st.hotStmt, args)
	rows, err := s.liteOn(ctx, st).QueryContext(ctx, liteArgs(args)...)
	if err == nil {
		err = scanFirst(rows, rows.Close, scan)
	}
	s.afterHot(ctx, ev, nil, err)
	return err
}

// liteTimeFormat is how bun writes a time on SQLite.
const liteTimeFormat = "2006-01-02 15:04:05.999999-07:00"

// liteArgs writes a prepared statement's arguments as bun writes them on
// SQLite: a time as UTC text in bun's format, so that the stored text and
// every comparison with it are the same whichever path wrote it.
func liteArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			a = v.UTC().Format(liteTimeFormat)
		case *time.Time:
			if v == nil {
				a = nil
			} else {
				a = v.UTC().Format(liteTimeFormat)
			}
		}
		out[i] = a
	}
	return out
}
