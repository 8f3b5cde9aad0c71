package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

func TestCleanupWorker_RemovesAuditEventsPastTheirTenantsRetention(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		day := 24 * time.Hour
		// Written 40 days ago: gone under a 30-day retention, kept under 90.
		require.NoError(t, audit.Record(ctx, s, audit.Policy{Retention: 30 * day}, now.Add(-40*day), audit.Event{Type: audit.PasswordChanged}))
		require.NoError(t, audit.Record(ctx, s, audit.Policy{Retention: 90 * day}, now.Add(-40*day), audit.Event{Type: audit.FactorAdded}))

		w := &jobs.CleanupWorker{DB: d, Clock: clock.NewFake(now), Batch: 10, Logger: testLogger(t)}
		require.NoError(t, w.Work(ctx, &river.Job[jobs.CleanupArgs]{}))

		left, _, err := s.Audit().List(ctx, db.AuditPage{Limit: 10})
		require.NoError(t, err)
		require.Len(t, left, 1)
		require.Equal(t, string(audit.FactorAdded), left[0].Type)
	})
}
