package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestFlowStore_OptimisticLock(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		f := testdb.Flow(t, s, time.Now().Add(time.Hour))
		require.EqualValues(t, 1, f.Version)

		// Two requests load version 1; only the first save wins.
		first, err := s.Flows().Get(ctx, f.ID)
		require.NoError(t, err)
		second, err := s.Flows().Get(ctx, f.ID)
		require.NoError(t, err)

		first.State = "passkey"
		require.NoError(t, s.Flows().Update(ctx, first, time.Now()))
		require.EqualValues(t, 2, first.Version)

		second.State = "password"
		require.ErrorIs(t, s.Flows().Update(ctx, second, time.Now()), db.ErrConflict)

		got, err := s.Flows().Get(ctx, f.ID)
		require.NoError(t, err)
		require.Equal(t, "passkey", got.State)
		require.Equal(t, `{"a":1}`, compactJSON(t, got.Context))
	})
}

func TestFlowStore_ConcurrentUpdatesOneWins(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		f := testdb.Flow(t, s, time.Now().Add(time.Hour))

		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				mine := *f
				mine.State = "s"
				errs[i] = s.Flows().Update(ctx, &mine, time.Now())
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				require.ErrorIs(t, err, db.ErrConflict)
			}
		}
		require.Equal(t, 1, wins)
	})
}

func TestFlowStore_CreateNeedsExpiry(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		a := testdb.Tenant(t, d, "acme")
		err := d.ForTenant(a.ID).Flows().Create(context.Background(), &db.Flow{Kind: "sign_in", State: "start"})
		require.ErrorContains(t, err, "no expiry")
	})
}

func TestInTx_RollsBackOnError(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		var id = testdb.Flow(t, d.ForTenant(a.ID), time.Now().Add(time.Hour)).ID

		err := d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			require.NoError(t, tx.ForTenant(a.ID).Flows().Delete(ctx, id))
			return context.Canceled
		})
		require.ErrorIs(t, err, context.Canceled)

		_, err = d.ForTenant(a.ID).Flows().Get(ctx, id)
		require.NoError(t, err, "the delete must have been rolled back")
	})
}

// A flow stored on its own (the passkey begin's) commits without waiting
// for the disk on PostgreSQL, and is stored whole; one stored in a
// transaction leaves that transaction's durability alone.
func TestFlowStore_OnlyAFlowStoredOnItsOwnSkipsTheFsync(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, count := db.CountStatements(context.Background())
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		f := &db.Flow{Kind: "sign-in", State: "start", Context: `{"a":1}`, ExpiresAt: time.Now().Add(time.Hour)}
		require.NoError(t, s.Flows().Create(ctx, f))
		log := count.Log()
		if d.Dialect() == db.Postgres {
			require.Contains(t, log[0], "set_config('synchronous_commit', 'off', true)")
		} else {
			require.NotContains(t, log[0], "synchronous_commit")
		}
		got, err := s.Flows().Get(ctx, f.ID)
		require.NoError(t, err)
		require.Equal(t, "sign-in", got.Kind, "the kind passes through the CTE")
		require.Equal(t, "start", got.State)
		require.Equal(t, `{"a":1}`, compactJSON(t, got.Context))

		requireDurableInTx(t, d, func(ctx context.Context, tx *db.Tx) error {
			in := &db.Flow{Kind: "sign-in", State: "start", ExpiresAt: time.Now().Add(time.Hour)}
			return tx.ForTenant(s.TenantID()).Flows().Create(ctx, in)
		})
	})
}
