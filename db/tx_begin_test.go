package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestBegin_CommitKeepsAndRollbackUndoes: a transaction from Begin keeps
// its work on Commit and undoes it on Rollback.
func TestBegin_CommitKeepsAndRollbackUndoes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		a := testdb.Tenant(t, d, "acme")
		kept := testdb.Flow(t, d.ForTenant(a.ID), time.Now().Add(time.Hour)).ID
		undone := testdb.Flow(t, d.ForTenant(a.ID), time.Now().Add(time.Hour)).ID

		tx, err := d.Begin(ctx)
		require.NoError(t, err)
		require.NoError(t, tx.ForTenant(a.ID).Flows().Delete(ctx, undone))
		require.NoError(t, tx.Rollback())
		_, err = d.ForTenant(a.ID).Flows().Get(ctx, undone)
		require.NoError(t, err, "rolled back")

		tx, err = d.Begin(ctx)
		require.NoError(t, err)
		require.NoError(t, tx.ForTenant(a.ID).Flows().Delete(ctx, kept))
		require.NoError(t, tx.Commit())
		_, err = d.ForTenant(a.ID).Flows().Get(ctx, kept)
		require.ErrorIs(t, err, db.ErrNotFound, "committed")
	})
}
