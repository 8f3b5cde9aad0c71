// Package db is Sesame's storage layer: bun models, migrations and stores for
// PostgreSQL and the embedded SQLite default. It is the only package that
// writes SQL.
//
// Tenant-owned rows are reached only through a Scope obtained with
// (*DB).ForTenant or (*Tx).ForTenant: every statement a Scope's stores run is
// stamped or filtered with that tenant's id, so no exported method can touch a
// tenant-owned row without naming its tenant. The few operations that are not
// tenant-scoped by nature (the tenant directory itself, host resolution and
// maintenance such as deleting expired rows) live on *DB and say so.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect names the database engine behind a DB.
type Dialect string

// The two supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DefaultDSN is the embedded default: a SQLite file under ./data.
const DefaultDSN = "sqlite:./data/sesame.db"

// Options tune a DB. The zero value is ready to use.
type Options struct {
	// MaxOpenConns caps PostgreSQL connections. Default 20. SQLite always
	// uses exactly one connection (see Open).
	MaxOpenConns int

	// Logger receives slow-statement warnings and similar. Default: discard.
	Logger *slog.Logger
}

// DB is an open database of either dialect.
type DB struct {
	bun     *bun.DB
	sql     *sql.DB
	dialect Dialect
	logger  *slog.Logger
	apps    *appCache
	// listen holds River's listening connection on PostgreSQL (river.go);
	// nil on SQLite.
	listen *pgxpool.Pool
	watch  *tenantWatch
	hot    *hotStmts
	hooks  *hooks
	// lite is SQLite's prepared sign-in statements, prepared after the
	// migrations (hot_lite.go); nil on PostgreSQL.
	lite *liteStmts
}

// ErrBadDSN is wrapped by Open when the data source name cannot be used.
var ErrBadDSN = errors.New("bad database URL")

// Open opens the database that dsn names and checks that it answers:
//
//   - "sqlite:PATH" opens (creating it and its folder if missing) a SQLite file
//     in WAL mode with a busy timeout and foreign keys on, through the pure-Go
//     modernc driver, with exactly one connection: SQLite admits one writer, and
//     one connection turns lock contention into a queue instead of SQLITE_BUSY
//     errors. While code holds a transaction it must run every query on that
//     transaction (see InTx).
//   - "postgres://..." or "postgresql://..." opens PostgreSQL through pgx's
//     database/sql driver.
//
// Errors never repeat the DSN, which may hold a password.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 20
	}
	var (
		d   *DB
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		d, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d, err = openPostgres(dsn, opts.MaxOpenConns)
	case dsn == "":
		return nil, fmt.Errorf("%w: it is empty; use %s or postgres://USER@HOST:5432/DBNAME", ErrBadDSN, DefaultDSN)
	default:
		scheme, _, _ := strings.Cut(dsn, ":")
		return nil, fmt.Errorf("%w: scheme %q is not supported; use sqlite:PATH or postgres://USER@HOST:5432/DBNAME", ErrBadDSN, scheme)
	}
	if err != nil {
		return nil, err
	}
	d.logger = opts.Logger
	d.apps = newAppCache()
	d.watch = newTenantWatch()
	d.hooks = &hooks{}
	d.AddQueryHook(statementCounter{})
	if d.dialect == Postgres {
		d.hot = newHotStmts(d.bun)
	} else {
		d.lite = newLiteStmts(d.bun)
	}

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.sql.PingContext(pingCtx); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.dialect, err)
	}
	return d, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite: needs a file path, e.g. %s", ErrBadDSN, DefaultDSN)
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("%w: the sqlite file path must not contain '?' or '#'", ErrBadDSN)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create folder for the sqlite database: %w", err)
		}
	}
	// _txlock=immediate takes the write lock at BEGIN, so two transactions
	// never deadlock upgrading a read lock; NORMAL sync is safe under WAL.
	name := "file:" + path +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("open sqlite database: %w", err)
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	return &DB{bun: bun.NewDB(sqldb, sqlitedialect.New()), sql: sqldb, dialect: SQLite}, nil
}

func openPostgres(dsn string, maxConns int) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN; say what is wrong without it.
		return nil, fmt.Errorf("%w: the postgres URL cannot be parsed; expected postgres://USER[:PASSWORD]@HOST:PORT/DBNAME?sslmode=...", ErrBadDSN)
	}
	// bun renders arguments into the statement text, so statements reach
	// pgx without parameters and nearly every text is new: the default
	// prepared-statement cache would prepare (an extra round trip) and evict
	// on every query. Exec mode sends each statement in one round trip.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	listen, err := newListenPool(cfg)
	if err != nil {
		return nil, err
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{bun: bun.NewDB(sqldb, pgdialect.New()), sql: sqldb, dialect: Postgres, listen: listen}, nil
}

// Dialect reports which engine this DB runs on.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close closes every connection.
func (d *DB) Close() error {
	if d.listen != nil {
		d.listen.Close()
	}
	if d.watch != nil {
		d.watch.close()
	}
	return d.sql.Close()
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.sql.PingContext(ctx) }

// Tx is a database transaction. Stores obtained from it run on it.
type Tx struct {
	tx      bun.Tx
	dialect Dialect
	apps    *appCache
	watch   *tenantWatch
	hot     *hotStmts
	hooks   *hooks
	// conn is the transaction's connection as pgx's own, for the hot
	// statements (hot_tx.go); nil on SQLite.
	conn *pgx.Conn
	// lite is SQLite's prepared sign-in statements (hot_lite.go).
	lite *liteStmts
	// held is the connection a transaction from Begin holds on
	// PostgreSQL, returned to the pool when it ends.
	held *bun.Conn
	// touched is set by a write to tenants or domains, reported to watch
	// once the transaction commits.
	touched bool
}

// SQL returns the underlying *sql.Tx, for River's InsertTx.
func (t *Tx) SQL() *sql.Tx { return t.tx.Tx }

// Begin starts a transaction that the caller ends with Commit or
// Rollback, for work whose end is not one function's return (the
// provider's code exchange commits before it signs). InTx is the usual
// door. On SQLite nothing may use d until the transaction ends.
func (d *DB) Begin(ctx context.Context) (*Tx, error) {
	if d.hot != nil {
		return d.beginPg(ctx)
	}
	btx, err := d.bun.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return &Tx{tx: btx, dialect: d.dialect, apps: d.apps, watch: d.watch, hot: d.hot, hooks: d.hooks, lite: d.lite}, nil
}

// Commit commits a transaction from Begin.
func (t *Tx) Commit() error {
	defer t.release()
	if err := t.tx.Commit(); err != nil {
		return err
	}
	if t.touched {
		t.watch.wrote()
	}
	return nil
}

// Rollback rolls back a transaction from Begin.
func (t *Tx) Rollback() error {
	defer t.release()
	return t.tx.Rollback()
}

// InTx runs fn in one transaction, committing when fn returns nil and rolling
// back otherwise. On SQLite fn must not use d (only tx) while it runs: the one
// connection is taken by the transaction.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if d.hot != nil {
		return d.inPgTx(ctx, fn)
	}
	var tx *Tx
	err := d.bun.RunInTx(ctx, nil, func(ctx context.Context, btx bun.Tx) error {
		tx = &Tx{tx: btx, dialect: d.dialect, apps: d.apps, watch: d.watch, hot: d.hot, hooks: d.hooks, lite: d.lite}
		return fn(ctx, tx)
	})
	if err == nil && tx != nil && tx.touched {
		tx.watch.wrote()
	}
	return err
}
