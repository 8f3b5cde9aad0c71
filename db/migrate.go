package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"

	"github.com/sesame-id/sesame/db/migrations"
)

// ErrSchemaNewer is wrapped when a newer Sesame than this binary migrated
// the database with a contract step (a migration not declared additive)
// this binary does not have: running would risk corrupting data the binary
// does not understand. Newer additive steps are no reason to refuse.
var ErrSchemaNewer = errors.New("the database schema is newer than this sesame binary; run the newer sesame (or restore a backup)")

// migrationLockKey is the PostgreSQL advisory-lock key that serializes
// migrations across processes ("sesame" in ASCII).
const migrationLockKey = 0x736573616d65

// MigrationStatus describes how far a database is migrated.
type MigrationStatus struct {
	// Pending lists the versions this binary would apply.
	Pending []string
	// Unknown lists applied versions this binary does not have that are
	// not additive (contract steps, or recorded before migrations declared
	// their kind): the database was migrated by a newer Sesame in a way this
	// binary may not survive.
	Unknown []string
	// Ahead lists applied versions this binary does not have that a newer
	// Sesame recorded as additive (expand steps): they only add what this
	// binary never reads, so it keeps serving.
	Ahead []string
	// RiverCurrent is true when River's own schema is fully applied.
	RiverCurrent bool
}

// Current reports whether nothing is pending and nothing is unknown: the
// binary may serve. Additive migrations from a newer Sesame (Ahead) do not
// count against it.
func (s MigrationStatus) Current() bool {
	return len(s.Pending) == 0 && len(s.Unknown) == 0 && s.RiverCurrent
}

// Migrate brings the database to this binary's schema and returns the
// versions of Sesame's own migrations it applied. River's schema comes
// first, one transaction per River version (some of River's PostgreSQL
// migrations cannot share a transaction); then all of Sesame's pending
// migrations apply in one transaction together with their records, so a
// failure leaves them exactly as they were. Concurrent migrators on
// PostgreSQL wait for each other on a session advisory lock (released even if
// the process dies); on SQLite the one connection and the file's write lock
// do the same.
//
// Migrations are run by this small runner rather than bun's migrator so that
// applying a migration and recording it are one atomic step.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	return d.MigrateWith(ctx, migrations.All())
}

// MigrateWith is Migrate with list in place of this binary's migrations:
// list is a newer release's (migrations.All followed by its own steps, in
// version order). The cluster test plays a newer release with it, applying
// an expand step and then a contract step under servers of this one.
func (d *DB) MigrateWith(ctx context.Context, list []migrations.Migration) ([]string, error) {
	if d.dialect == Postgres {
		conn, err := d.sql.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		defer func() {
			// A fresh context: the lock must go even if ctx was cancelled.
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
		}()
	}

	// Refuse a newer schema before touching anything, River's included.
	status, err := d.migrationStatus(ctx, list)
	if err != nil {
		return nil, err
	}
	if len(status.Unknown) > 0 {
		return nil, fmt.Errorf("%w (unknown migrations: %s)", ErrSchemaNewer, strings.Join(status.Unknown, ", "))
	}

	migrator, err := rivermigrate.New(d.RiverDriver(), &rivermigrate.Config{Logger: d.riverLogger()})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrate river schema: %w", err)
	}

	var applied []string
	err = d.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if err := createMigrationsTable(ctx, tx); err != nil {
			return err
		}
		status, err := d.status(ctx, tx, list)
		if err != nil {
			return err
		}
		for _, m := range list {
			if !slices.Contains(status.Pending, m.Version) {
				continue
			}
			if err := m.Up(ctx, tx.tx, string(d.dialect)); err != nil {
				return fmt.Errorf("migration %s: %w", m.Version, err)
			}
			rec := &schemaMigration{Version: m.Version, AppliedAt: time.Now().UTC(), Additive: m.Additive}
			if _, err := tx.tx.NewInsert().Model(rec).Exec(ctx); err != nil {
				return fmt.Errorf("record migration %s: %w", m.Version, err)
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.lite != nil {
		if err := d.lite.prepare(ctx, d.sql); err != nil {
			return nil, fmt.Errorf("prepare the sign-in's statements: %w", err)
		}
	}
	return applied, nil
}

// MigrationStatus reports pending and unknown migrations without changing
// anything.
func (d *DB) MigrationStatus(ctx context.Context) (MigrationStatus, error) {
	return d.migrationStatus(ctx, migrations.All())
}

func (d *DB) migrationStatus(ctx context.Context, list []migrations.Migration) (MigrationStatus, error) {
	var status MigrationStatus
	err := d.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		status, err = d.status(ctx, tx, list)
		return err
	})
	return status, err
}

// schemaMigration is one applied migration.
type schemaMigration struct {
	bun.BaseModel `bun:"table:sesame_migrations"`

	Version   string    `bun:"version,pk"`
	AppliedAt time.Time `bun:"applied_at,notnull"`
	// Additive is the migration's declared kind (migrations.Migration's
	// Additive), recorded so that an older binary, which does not have the
	// migration, can tell an expand step from a contract step.
	Additive bool `bun:"additive,notnull"`
}

// createMigrationsTable creates the runner's own table, and adds its
// additive column to a table created before migrations declared their kind
// (rows recorded then count as contract steps, the safe reading).
func createMigrationsTable(ctx context.Context, tx *Tx) error {
	q, err := migrations.Render(string(tx.dialect),
		`CREATE TABLE IF NOT EXISTS sesame_migrations (version TEXT PRIMARY KEY, applied_at {time} NOT NULL, additive BOOLEAN NOT NULL DEFAULT FALSE)`)
	if err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("create sesame_migrations: %w", err)
	}
	has, err := hasAdditiveColumn(ctx, tx)
	if err != nil || has {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `ALTER TABLE sesame_migrations ADD COLUMN additive BOOLEAN NOT NULL DEFAULT FALSE`); err != nil {
		return fmt.Errorf("add sesame_migrations.additive: %w", err)
	}
	return nil
}

// hasAdditiveColumn reports whether sesame_migrations records kinds.
func hasAdditiveColumn(ctx context.Context, tx *Tx) (bool, error) {
	q := `SELECT count(*) FROM pragma_table_info('sesame_migrations') WHERE name = 'additive'`
	if tx.dialect == Postgres {
		q = `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'sesame_migrations' AND column_name = 'additive'`
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, fmt.Errorf("look for sesame_migrations.additive: %w", err)
	}
	return n > 0, nil
}

func (d *DB) status(ctx context.Context, tx *Tx, list []migrations.Migration) (MigrationStatus, error) {
	var status MigrationStatus

	exists, err := tableExists(ctx, tx, "sesame_migrations")
	if err != nil {
		return status, err
	}
	done, err := appliedMigrations(ctx, tx, exists)
	if err != nil {
		return status, err
	}
	known := make(map[string]bool)
	for _, m := range list {
		known[m.Version] = true
		if _, ok := done[m.Version]; !ok {
			status.Pending = append(status.Pending, m.Version)
		}
	}
	for v, additive := range done {
		switch {
		case known[v]:
		case additive:
			status.Ahead = append(status.Ahead, v)
		default:
			status.Unknown = append(status.Unknown, v)
		}
	}
	slices.Sort(status.Unknown)
	slices.Sort(status.Ahead)

	migrator, err := rivermigrate.New(d.RiverDriver(), &rivermigrate.Config{Logger: d.riverLogger()})
	if err != nil {
		return status, fmt.Errorf("river migrator: %w", err)
	}
	res, err := migrator.ValidateTx(ctx, tx.SQL(), nil)
	if err != nil {
		return status, fmt.Errorf("check river schema: %w", err)
	}
	status.RiverCurrent = res.OK
	return status, nil
}

// appliedMigrations maps each recorded version to its recorded kind
// (additive or not); a table without the kind column counts every row as
// not additive.
func appliedMigrations(ctx context.Context, tx *Tx, exists bool) (map[string]bool, error) {
	done := make(map[string]bool)
	if !exists {
		return done, nil
	}
	withKind, err := hasAdditiveColumn(ctx, tx)
	if err != nil {
		return nil, err
	}
	var rows []schemaMigration
	q := tx.tx.NewSelect().Model(&rows).Column("version")
	if withKind {
		q = q.Column("additive")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	for _, r := range rows {
		done[r.Version] = r.Additive
	}
	return done, nil
}

func tableExists(ctx context.Context, tx *Tx, name string) (bool, error) {
	var n int
	var err error
	if tx.dialect == Postgres {
		err = tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", name).Scan(&n)
	} else {
		err = tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("look for table %s: %w", name, err)
	}
	return n > 0, nil
}

// riverLogger passes on River's migrator messages at warning level and
// above: it reports every status check at info level.
func (d *DB) riverLogger() *slog.Logger {
	return slog.New(minLevel{Handler: d.logger.Handler(), min: slog.LevelWarn})
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
