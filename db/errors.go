package db

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNotFound is returned when the row asked for does not exist, or
	// exists for another tenant (the two are deliberately the same).
	ErrNotFound = errors.New("not found")

	// ErrDuplicate is returned when a row would break a unique key, such as
	// a taken tenant slug or hostname.
	ErrDuplicate = errors.New("already exists")

	// ErrConflict is returned when an optimistic-lock version no longer
	// matches: someone else changed the row since it was read.
	ErrConflict = errors.New("changed by someone else; reload and try again")

	// ErrNoTenant is returned by a Scope made without a tenant id.
	ErrNoTenant = errors.New("no tenant given")
)

// isUniqueViolation reports whether err is a unique-key violation on either
// engine.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign-key violation on
// either engine: a row pointing at a user the tenant does not have.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}
