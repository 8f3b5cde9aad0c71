package db

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"
)

// AddQueryHook adds h to the hooks every statement of the stores passes
// (internal/telemetry's statement spans). Call it before the database is
// used: bun's hook list is not safe to change while statements run.
func (d *DB) AddQueryHook(h bun.QueryHook) {
	d.bun.AddQueryHook(h)
	d.hooks.add(h)
}

// PoolStats are the connection pool's statistics, for the metrics.
func (d *DB) PoolStats() sql.DBStats { return d.sql.Stats() }

// JobDepth is how many jobs of one kind are in one unfinished state.
type JobDepth struct {
	Kind  string `bun:"kind"`
	State string `bun:"state"`
	Count int64  `bun:"n"`
}

// JobQueueDepth counts River's unfinished jobs by kind and state
// (available, scheduled, retryable, running): one statement over River's
// job table, for the metrics' queue depth.
func (d *DB) JobQueueDepth(ctx context.Context) ([]JobDepth, error) {
	var out []JobDepth
	err := d.bun.NewSelect().TableExpr("river_job").
		ColumnExpr("kind, state, count(*) AS n").
		Where("state IN (?)", bun.In([]string{"available", "scheduled", "retryable", "running"})).
		GroupExpr("kind, state").
		Scan(ctx, &out)
	return out, err
}

// JobCount counts the jobs of kind River holds in any state, finished
// ones included until River's cleaner removes them (a day): how many were
// queued, for tests and diagnostics.
func (d *DB) JobCount(ctx context.Context, kind string) (int, error) {
	n, err := d.bun.NewSelect().TableExpr("river_job").Where("kind = ?", kind).Count(ctx)
	return int(n), err
}
