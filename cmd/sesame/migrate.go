package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/sesame-id/sesame/db"
)

// newFlagSet returns a flag set that reports errors instead of exiting.
func (e cliEnv) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("sesame "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse parses args and loads the configuration.
func (e cliEnv) parse(fs *flag.FlagSet, serve bool, args []string) (Config, error) {
	load := configFlags(fs, serve)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, usageError{msg: "help requested"}
		}
		return Config{}, usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return Config{}, usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return load(e.getenv)
}

// openDB opens the configured database. With requireCurrent, a database
// that is not fully migrated is refused with a message saying what to run.
func (e cliEnv) openDB(cfg Config, logger *slog.Logger, requireCurrent bool) (*db.DB, error) {
	d, err := db.Open(e.ctx, cfg.DatabaseURL, db.Options{MaxOpenConns: cfg.DBMaxConns, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	status, err := d.MigrationStatus(e.ctx)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("read migration status: %w", err)
	}
	if len(status.Unknown) > 0 {
		_ = d.Close()
		return nil, fmt.Errorf("%w (unknown migrations: %s)", db.ErrSchemaNewer, strings.Join(status.Unknown, ", "))
	}
	if requireCurrent && !status.Current() {
		_ = d.Close()
		return nil, errors.New("the database is not migrated; run `sesame migrate` (or start `sesame serve`, which migrates) first")
	}
	return d, nil
}

func (e cliEnv) migrate(args []string) error {
	fs := e.newFlagSet("migrate")
	cfg, err := e.parse(fs, false, args)
	if err != nil {
		return err
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), false)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(e.ctx)
	if err != nil {
		return err
	}
	printApplied(e.stdout, applied)
	return nil
}

func printApplied(w io.Writer, applied []string) {
	if len(applied) == 0 {
		fmt.Fprintln(w, "database is up to date")
		return
	}
	for _, v := range applied {
		fmt.Fprintf(w, "applied %s\n", v)
	}
}
