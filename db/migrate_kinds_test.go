package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/db/migrations"
	"github.com/sesame-id/sesame/internal/testdb"
)

// nextRelease is migrations.All plus a newer release's steps.
func nextRelease(steps ...migrations.Migration) []migrations.Migration {
	return append(slices.Clone(migrations.All()), steps...)
}

func exec(statement string) func(context.Context, bun.Tx, string) error {
	return func(ctx context.Context, tx bun.Tx, _ string) error {
		_, err := tx.ExecContext(ctx, statement)
		return err
	}
}

var (
	expandStep   = migrations.Migration{Version: "29990101000000_expand", Up: exec(`ALTER TABLE users ADD COLUMN nickname TEXT`), Additive: true}
	contractStep = migrations.Migration{Version: "29990102000000_contract", Up: exec(`CREATE TABLE contract_marker (id INTEGER PRIMARY KEY)`)}
)

// TestMigrate_AnOlderBinaryServesThroughExpandStepsNotContractSteps: a
// newer release's additive migration leaves this binary's status current
// (the step listed as ahead) and its migrate a no-op; a newer contract
// step makes the status not current and migrate refuse.
func TestMigrate_AnOlderBinaryServesThroughExpandStepsNotContractSteps(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		applied, err := d.MigrateWith(ctx, nextRelease(expandStep))
		require.NoError(t, err)
		require.Equal(t, []string{expandStep.Version}, applied)

		status, err := d.MigrationStatus(ctx)
		require.NoError(t, err)
		require.True(t, status.Current(), "%+v", status)
		require.Equal(t, []string{expandStep.Version}, status.Ahead)
		require.Empty(t, status.Unknown)
		again, err := d.Migrate(ctx)
		require.NoError(t, err)
		require.Empty(t, again)

		applied, err = d.MigrateWith(ctx, nextRelease(expandStep, contractStep))
		require.NoError(t, err)
		require.Equal(t, []string{contractStep.Version}, applied)
		status, err = d.MigrationStatus(ctx)
		require.NoError(t, err)
		require.False(t, status.Current())
		require.Equal(t, []string{contractStep.Version}, status.Unknown)
		require.Equal(t, []string{expandStep.Version}, status.Ahead)
		_, err = d.Migrate(ctx)
		require.ErrorIs(t, err, db.ErrSchemaNewer)
		require.Contains(t, err.Error(), contractStep.Version)
		require.NotContains(t, err.Error(), expandStep.Version)

		// The release that has both steps is current.
		status, err = d.MigrationStatusForTest(ctx, nextRelease(expandStep, contractStep))
		require.NoError(t, err)
		require.True(t, status.Current(), "%+v", status)
		require.Empty(t, status.Ahead)
	})
}

// TestMigrate_RecordsWithoutAKindAreContractSteps: a migrations table from
// before kinds were recorded reads every unknown version as a contract
// step; the next migrate adds the column, the old rows not additive.
func TestMigrate_RecordsWithoutAKindAreContractSteps(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		older := slices.DeleteFunc(slices.Clone(migrations.All()), func(m migrations.Migration) bool {
			return m.Version == migrations.All()[len(migrations.All())-1].Version
		})
		require.NoError(t, d.ExecForTest(ctx, `ALTER TABLE sesame_migrations DROP COLUMN additive`))

		status, err := d.MigrationStatusForTest(ctx, older)
		require.NoError(t, err)
		require.False(t, status.Current())
		require.Len(t, status.Unknown, 1)
		require.Empty(t, status.Ahead)

		applied, err := d.MigrateWith(ctx, nextRelease(expandStep))
		require.NoError(t, err)
		require.Equal(t, []string{expandStep.Version}, applied)
		status, err = d.MigrationStatusForTest(ctx, older)
		require.NoError(t, err)
		require.Equal(t, []string{migrations.All()[len(migrations.All())-1].Version}, status.Unknown, "a row from before kinds stays a contract step")
		require.Equal(t, []string{expandStep.Version}, status.Ahead)
	})
}
