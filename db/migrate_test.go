package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/db/migrations"
	"github.com/sesame-id/sesame/internal/testdb"
)

func openEmpty(t *testing.T, b testdb.Backend) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), testdb.NewDSN(t, b), db.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestMigrate_AppliesEverythingOnceOnEachBackend(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openEmpty(t, b)

			status, err := d.MigrationStatus(ctx)
			require.NoError(t, err)
			require.False(t, status.Current())
			require.Len(t, status.Pending, len(migrations.All()))
			require.False(t, status.RiverCurrent)

			applied, err := d.Migrate(ctx)
			require.NoError(t, err)
			require.Len(t, applied, len(migrations.All()))

			status, err = d.MigrationStatus(ctx)
			require.NoError(t, err)
			require.True(t, status.Current(), "status after migrate: %+v", status)

			again, err := d.Migrate(ctx)
			require.NoError(t, err)
			require.Empty(t, again, "a second migrate must apply nothing")
		})
	}
}

func TestMigrate_RefusesSchemaFromNewerBinary(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.SQL().ExecContext(ctx, "INSERT INTO sesame_migrations (version, applied_at) VALUES ('29990101000000_future', '2999-01-01 00:00:00+00:00')")
			return err
		}))

		_, err := d.Migrate(ctx)
		require.ErrorIs(t, err, db.ErrSchemaNewer)
		require.Contains(t, err.Error(), "29990101000000_future")

		status, err := d.MigrationStatus(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"29990101000000_future"}, status.Unknown)
		require.False(t, status.Current())
	})
}

func TestMigrate_ConcurrentMigratorsApplyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.NewDSN(t, testdb.Postgres)
	results := make(chan []string, 3)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			d, err := db.Open(ctx, dsn, db.Options{})
			if err != nil {
				errs <- err
				return
			}
			defer d.Close()
			applied, err := d.Migrate(ctx)
			errs <- err
			results <- applied
		}()
	}
	total := 0
	deadline := time.After(time.Minute)
	for range 3 {
		select {
		case err := <-errs:
			require.NoError(t, err)
		case <-deadline:
			t.Fatal("migrators did not finish")
		}
		total += len(<-results)
	}
	require.Equal(t, len(migrations.All()), total, "each migration must be applied exactly once")
}

// On PostgreSQL the tables every sign-in writes (flows, sessions,
// audit_events) hold no foreign key to tenants, whose one row each insert
// would lock; a session still references its user, so deleting the user
// deletes the user's sessions.
func TestMigrations_TheSignInTablesLockNoTenantRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t, testdb.Postgres)
	keys := map[string]string{}
	require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		rows, err := tx.SQL().QueryContext(ctx, `SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
			WHERE contype = 'f' AND conrelid::regclass::text IN ('flows', 'sessions', 'audit_events')`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var from, to string
			if err := rows.Scan(&from, &to); err != nil {
				return err
			}
			keys[from+" → "+to] = to
		}
		return rows.Err()
	}))
	require.Equal(t, map[string]string{"sessions → users": "users"}, keys)

	tn := testdb.Tenant(t, d, "acme")
	s := d.ForTenant(tn.ID)
	u := &db.User{WebAuthnHandle: []byte("0123456789abcdef0123456789abcdef"), DisplayName: "ana"}
	require.NoError(t, s.Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: "ana@example.com"}))
	session := &db.Session{UserID: u.ID, TokenHash: []byte("h"), AMR: "webauthn", ExpiresAt: time.Now().Add(time.Hour)}
	require.NoError(t, s.Sessions().Create(ctx, session))
	require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `DELETE FROM users WHERE id = $1`, u.ID)
		return err
	}))
	_, err := s.Sessions().ByToken(ctx, []byte("h"), time.Now())
	require.ErrorIs(t, err, db.ErrNotFound, "the user's sessions go with the user")
}
