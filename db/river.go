package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// RiverDriver returns the River driver for this database, working on
// *sql.Tx on both dialects so that a job is enqueued in the same transaction
// as the row that needs it (see Tx.SQL).
//
// On PostgreSQL River's database/sql driver sends an insert notification
// (pg_notify in the inserting transaction, delivered by PostgreSQL at
// commit) but cannot listen: database/sql has no way to wait for one. The
// driver returned here is that driver with the listener of River's pgx
// driver, on a connection of its own, so a client that works jobs wakes
// when a job's transaction commits instead of at its next poll. Inserting,
// fetching and completing jobs still go through database/sql, on the same
// pool and transactions as every other statement.
//
// SQLite has no notifications: its workers poll (see RiverListens).
func (d *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if d.dialect == SQLite {
		return riversqlite.New(d.sql)
	}
	return listeningDriver{Driver: riverdatabasesql.New(d.sql), pgx: riverpgxv5.New(d.listen)}
}

// RiverListens reports whether RiverDriver wakes workers when a job is
// committed (PostgreSQL); where it does not (SQLite), a new job waits for
// the workers' next poll.
func (d *DB) RiverListens() bool { return d.dialect == Postgres }

// listeningDriver is River's database/sql driver with the pgx driver's
// listener. River asks a driver whether it SupportsListener and, if so, for
// a Listener; every other method is database/sql's.
type listeningDriver struct {
	*riverdatabasesql.Driver
	pgx *riverpgxv5.Driver
}

// SupportsListener makes River start its notifier instead of polling for
// leadership and queue changes, and subscribe its producers to inserts.
func (listeningDriver) SupportsListener() bool { return true }

// GetListener returns the pgx driver's listener: it takes one connection
// from the listen pool for itself (LISTEN holds a session) and reconnects
// through the same pool when that connection breaks.
func (l listeningDriver) GetListener(params *riverdriver.GetListenenerParams) riverdriver.Listener {
	return l.pgx.GetListener(params)
}

// newListenPool returns the pool River's listener takes its connection
// from: the same server, user and settings as the database/sql pool, at most
// one connection at a time, and none opened before a job client starts.
func newListenPool(cfg *pgx.ConnConfig) (*pgxpool.Pool, error) {
	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, fmt.Errorf("configure the job listener's pool: %w", err)
	}
	pcfg.ConnConfig = cfg.Copy()
	pcfg.MaxConns = 1
	pcfg.MinConns = 0
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("open the job listener's pool: %w", err)
	}
	return pool, nil
}
