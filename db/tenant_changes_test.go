package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// twoProcesses opens the same fresh database twice, as two processes
// would: each handle has its own connections, poll and local counter.
func twoProcesses(t *testing.T, b testdb.Backend) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.NewDSN(t, b)
	open := func() *db.DB {
		d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	one, other := open(), open()
	_, err := one.Migrate(ctx)
	require.NoError(t, err)
	return one, other
}

// TestTenantVersion_AnyWriteToTenantsOrDomainsReachesAnotherProcessWithinASecond
// writes with hand-written statements, as a writer outside the stores
// would (a tenant deleted with its domains by cascade included), and
// checks that the other handle's version moves within a second of each.
func TestTenantVersion_AnyWriteToTenantsOrDomainsReachesAnotherProcessWithinASecond(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			writer, reader := twoProcesses(t, b)
			id, now := uuid.Must(uuid.NewV7()), time.Now().UTC()
			writes := []struct {
				name  string
				query string
				args  []any
			}{
				{"tenant insert", `INSERT INTO tenants (id, slug, name, settings, settings_version, created_at, updated_at) VALUES (?, 'acme', 'Acme', '{}', 1, ?, ?)`, []any{id, now, now}},
				{"tenant update", `UPDATE tenants SET name = 'Acme Inc' WHERE id = ?`, []any{id}},
				{"domain insert", `INSERT INTO domains (id, tenant_id, hostname, created_at) VALUES (?, ?, 'login.acme.test', ?)`, []any{uuid.Must(uuid.NewV7()), id, now}},
				{"domain update", `UPDATE domains SET verified_at = ? WHERE tenant_id = ?`, []any{now, id}},
				{"tenant delete (its domain by cascade)", `DELETE FROM tenants WHERE id = ?`, []any{id}},
			}
			for _, w := range writes {
				before, err := reader.TenantVersion(ctx)
				require.NoError(t, err)
				require.NoError(t, writer.ExecForTest(ctx, w.query, w.args...), w.name)
				start := time.Now()
				for {
					v, err := reader.TenantVersion(ctx)
					require.NoError(t, err)
					if v.Remote != before.Remote {
						break
					}
					require.Less(t, time.Since(start), time.Second, "%s: the other process still has epoch %d", w.name, before.Remote)
					time.Sleep(10 * time.Millisecond)
				}
				t.Logf("%s: seen after %v", w.name, time.Since(start))
			}
		})
	}
}

// TestTenantVersion_OwnWritesCountAtCommitAndReadsCostNothingOnceFresh
// checks that a process sees its own writes through the stores at once
// (at commit for a transaction, not before), and that a fresh version
// costs no statement.
func TestTenantVersion_OwnWritesCountAtCommitAndReadsCostNothingOnceFresh(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v0, err := d.TenantVersion(ctx)
		require.NoError(t, err)
		counted, count := db.CountStatements(ctx)
		v, err := d.TenantVersion(counted)
		require.NoError(t, err)
		require.Equal(t, v0, v)
		require.Zero(t, count.N(), "a fresh version is read from memory")

		tn := &db.Tenant{Slug: "acme", Name: "Acme", Settings: "{}"}
		require.NoError(t, d.Tenants().Create(ctx, tn))
		v1, err := d.TenantVersion(ctx)
		require.NoError(t, err)
		require.Greater(t, v1.Local, v0.Local, "a tenant created here is seen here at once")

		errRollback := errors.New("roll back")
		err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.ForTenant(tn.ID).Domains().Add(ctx, "login.acme.test")
			require.NoError(t, err)
			v, err := d.TenantVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, v1.Local, v.Local, "not before the commit")
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)

		err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.ForTenant(tn.ID).Domains().Add(ctx, "login.acme.test")
			return err
		})
		require.NoError(t, err)
		v2, err := d.TenantVersion(ctx)
		require.NoError(t, err)
		require.Greater(t, v2.Local, v1.Local, "a domain added in a committed transaction")

		require.NoError(t, d.ForTenant(tn.ID).Domains().Remove(ctx, "login.acme.test"))
		v3, err := d.TenantVersion(ctx)
		require.NoError(t, err)
		require.Greater(t, v3.Local, v2.Local, "a domain removed")

		require.NoError(t, d.Close())
		_, err = d.TenantVersion(ctx)
		require.Error(t, err, "a closed database vouches for nothing")
	})
}

// TestTenantVersion_AFreshHandleReadsTheEpochBeforeItsFirstAnswer: a
// process that never read the epoch (just started) reads it before it
// answers, however young the process is; and a write through its own
// stores makes it read the epoch again, so the write's local and remote
// counts move together and a cache is emptied once for it.
func TestTenantVersion_AFreshHandleReadsTheEpochBeforeItsFirstAnswer(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			writer, reader := twoProcesses(t, b)
			id, now := uuid.Must(uuid.NewV7()), time.Now().UTC()
			require.NoError(t, writer.ExecForTest(ctx, `INSERT INTO tenants (id, slug, name, settings, settings_version, created_at, updated_at) VALUES (?, 'acme', 'Acme', '{}', 1, ?, ?)`, id, now, now))
			first, err := reader.TenantVersion(ctx)
			require.NoError(t, err)
			require.Positive(t, first.Remote, "the first answer comes from the database, not from an empty memory")

			require.NoError(t, reader.ForTenant(id).Rename(ctx, "Acme Inc"))
			after, err := reader.TenantVersion(ctx)
			require.NoError(t, err)
			require.Greater(t, after.Local, first.Local)
			require.Greater(t, after.Remote, first.Remote, "an own write reads the epoch it moved at once")
		})
	}
}
