package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
)

// CleanupArgs is the periodic job that deletes expired rows: flows (with
// their ceremonies), sessions, verification codes, rate counters and audit
// events past their tenant's retention.
type CleanupArgs struct{}

// Kind identifies the job in River's tables.
func (CleanupArgs) Kind() string { return "cleanup" }

// InsertOpts puts cleanup on the maintenance queue, one pending at a time.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueMaintenance,
		MaxAttempts: 3,
		// One cleanup waiting or running at a time, across all nodes.
		UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateScheduled,
		}},
	}
}

// Expirer deletes expired rows; *db.DB implements it.
type Expirer interface {
	DeleteExpired(ctx context.Context, now time.Time, batch int) (db.Expired, error)
}

var _ Expirer = (*db.DB)(nil)

// CleanupWorker works CleanupArgs.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]

	DB     Expirer
	Clock  clock.Clock
	Batch  int
	Logger *slog.Logger
}

// Work deletes expired rows in batches until a batch comes back short, so
// that a backlog is cleared in one run without holding locks for long.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	now := w.Clock.Now()
	var total db.Expired
	for {
		got, err := w.DB.DeleteExpired(ctx, now, w.Batch)
		if err != nil {
			return err
		}
		total.Flows += got.Flows
		total.Sessions += got.Sessions
		total.Codes += got.Codes
		total.RateCounters += got.RateCounters
		total.Audit += got.Audit
		if !got.Full(w.Batch) {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if total.Total() > 0 {
		w.Logger.InfoContext(ctx, "deleted expired rows", "flows", total.Flows, "sessions", total.Sessions, "codes", total.Codes, "rate_counters", total.RateCounters, "audit_events", total.Audit)
	}
	return nil
}
