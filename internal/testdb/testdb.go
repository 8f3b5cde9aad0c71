// Package testdb gives each test its own migrated database: a SQLite file in
// t.TempDir(), or a PostgreSQL database created for the test on the server
// TEST_DATABASE_URL names and dropped when the test ends. Tests therefore
// run in parallel with no shared state.
//
// When PostgreSQL cannot be reached, its tests fail if the CI environment
// variable is set and are skipped otherwise, with one line on stderr saying
// so.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
)

// DefaultPostgresURL is the server used when TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Backend names a database engine under test.
type Backend string

// The backends Each runs on.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends lists every backend, in the order Each runs them.
var Backends = []Backend{SQLite, Postgres}

// Each runs fn as a parallel subtest per backend, each with its own fresh,
// migrated database. Contract suites use it so one test proves a behaviour
// on both engines.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, b))
		})
	}
}

// New returns a fresh migrated database of backend b, closed (and for
// PostgreSQL dropped) when t ends.
func New(t testing.TB, b Backend) *db.DB {
	t.Helper()
	dsn := NewDSN(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.Migrate(ctx)
	require.NoError(t, err)
	return d
}

// NewDSN returns the DSN of a fresh, empty (unmigrated) database of backend
// b that is removed when t ends. Tests of migration and start-up use it.
func NewDSN(t testing.TB, b Backend) string {
	t.Helper()
	switch b {
	case SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "sesame.db")
	case Postgres:
		return newPostgresDatabase(t)
	}
	t.Fatalf("testdb: unknown backend %q", b)
	return ""
}

// PostgresURL returns the server URL tests create databases on.
func PostgresURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

type admin struct {
	db  *sql.DB
	err error
}

var (
	adminOnce   = sync.OnceValue(connectAdmin)
	skipMessage sync.Once
)

func connectAdmin() admin {
	cfg, err := pgx.ParseConfig(PostgresURL())
	if err != nil {
		return admin{err: fmt.Errorf("TEST_DATABASE_URL cannot be parsed: %w", err)}
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return admin{err: err}
	}
	return admin{db: sqldb}
}

func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	a := adminOnce()
	if a.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("testdb: PostgreSQL at %s is unreachable and CI is set: %v", redact(PostgresURL()), a.err)
		}
		skipMessage.Do(func() {
			fmt.Fprintf(os.Stderr, "testdb: PostgreSQL at %s is unreachable (%v); skipping the PostgreSQL half of the tests (set CI=1 to fail instead)\n", redact(PostgresURL()), a.err)
		})
		t.Skip("PostgreSQL unreachable")
	}

	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "sesame_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := a.db.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err, "create test database")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := a.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})

	u, err := url.Parse(PostgresURL())
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
