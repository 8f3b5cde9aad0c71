package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

func TestCleanupWorker_DeletesExpiredKeepsLive(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		tn := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(tn.ID)
		var expired []*db.Flow
		for range 5 {
			expired = append(expired, testdb.Flow(t, s, now.Add(-time.Minute)))
		}
		live := testdb.Flow(t, s, now.Add(time.Minute))

		// A batch of 2 makes the worker loop three times over five rows.
		w := &jobs.CleanupWorker{DB: d, Clock: clock.NewFake(now), Batch: 2, Logger: testLogger(t)}
		require.NoError(t, w.Work(ctx, &river.Job[jobs.CleanupArgs]{}))

		for _, f := range expired {
			_, err := s.Flows().Get(ctx, f.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
		}
		_, err := s.Flows().Get(ctx, live.ID)
		require.NoError(t, err)
	})
}

// TestClient_RunsPeriodicCleanup starts a real River client, which inserts
// the periodic cleanup job on start and works it.
func TestClient_RunsPeriodicCleanup(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		tn := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(tn.ID)
		expired := testdb.Flow(t, s, now.Add(-time.Minute))
		live := testdb.Flow(t, s, now.Add(time.Hour))

		client, err := jobs.NewClient(d, jobs.Config{Logger: testLogger(t), FetchPollInterval: 20 * time.Millisecond, FetchCooldown: 5 * time.Millisecond})
		require.NoError(t, err)
		events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
		defer cancel()
		require.NoError(t, client.Start(ctx))
		t.Cleanup(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, client.Stop(stopCtx))
		})

		select {
		case ev := <-events:
			require.Equal(t, river.EventKindJobCompleted, ev.Kind, "cleanup job: %+v", ev.Job.Errors)
			require.Equal(t, "cleanup", ev.Job.Kind)
		case <-time.After(30 * time.Second):
			t.Fatal("the cleanup job did not run")
		}
		_, err = s.Flows().Get(ctx, expired.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Flows().Get(ctx, live.ID)
		require.NoError(t, err)
	})
}

// TestInsertTx_JobLivesAndDiesWithItsTransaction proves the pattern every
// job follows: enqueued in the same transaction as its row, on both engines.
func TestInsertTx_JobLivesAndDiesWithItsTransaction(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tn := testdb.Tenant(t, d, "acme")
		client, err := jobs.NewClient(d, jobs.Config{})
		require.NoError(t, err)

		var flowID = testdb.Flow(t, d.ForTenant(tn.ID), time.Now().Add(time.Hour)).ID
		rollback := context.Canceled
		err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			require.NoError(t, tx.ForTenant(tn.ID).Flows().Delete(ctx, flowID))
			_, err := client.InsertTx(ctx, tx.SQL(), jobs.CleanupArgs{}, nil)
			require.NoError(t, err)
			return rollback
		})
		require.ErrorIs(t, err, rollback)
		list, err := client.JobList(ctx, river.NewJobListParams())
		require.NoError(t, err)
		require.Empty(t, list.Jobs, "a rolled-back transaction must leave no job")

		err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := client.InsertTx(ctx, tx.SQL(), jobs.CleanupArgs{}, nil)
			return err
		})
		require.NoError(t, err)
		list, err = client.JobList(ctx, river.NewJobListParams())
		require.NoError(t, err)
		require.Len(t, list.Jobs, 1)
		require.Equal(t, jobs.QueueMaintenance, list.Jobs[0].Queue)
	})
}

func TestConfig_RejectsPollFasterThanCooldown(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	_, err := jobs.NewClient(d, jobs.Config{FetchPollInterval: 10 * time.Millisecond, FetchCooldown: 50 * time.Millisecond})
	require.ErrorContains(t, err, "FetchPollInterval")
}
