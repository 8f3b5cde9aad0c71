package db_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// newUser makes a user of the scope's tenant with email.
func newUser(t *testing.T, scope db.Scope, email string) *db.User {
	t.Helper()
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	u := &db.User{WebAuthnHandle: handle, DisplayName: email}
	require.NoError(t, scope.Users().Create(context.Background(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: email}))
	return u
}

// TestAdministrators_GrantRoleAndScope: a role is one of the two, a grant
// replaces the role, and the record belongs to a user of the admin tenant's
// scope (TestScope_TenantBCannotReadOrChangeTenantA covers another tenant's
// scope).
func TestAdministrators_GrantRoleAndScope(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := tenants.NewService(d, "localhost:8080")
		admin, err := ts.EnsureAdmin(ctx)
		require.NoError(t, err)
		acme, err := ts.Create(ctx, "acme", "Acme")
		require.NoError(t, err)
		scope := d.ForTenant(admin.ID)
		ada := newUser(t, scope, "ada@example.com")
		now := time.Now()

		_, err = scope.Administrators().Role(ctx, ada.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "a user is no administrator until granted")
		require.Error(t, scope.Administrators().Grant(ctx, ada.ID, "root", now))
		require.NoError(t, scope.Administrators().Grant(ctx, ada.ID, db.PlatformRoleMember, now))
		role, err := scope.Administrators().Role(ctx, ada.ID)
		require.NoError(t, err)
		require.Equal(t, db.PlatformRoleMember, role)
		require.NoError(t, scope.Administrators().Grant(ctx, ada.ID, db.PlatformRoleOwner, now))
		role, err = scope.Administrators().Role(ctx, ada.ID)
		require.NoError(t, err)
		require.Equal(t, db.PlatformRoleOwner, role)

		// A user of another tenant cannot be made one through the admin
		// scope.
		bob := newUser(t, d.ForTenant(acme.ID), "bob@example.com")
		require.ErrorIs(t, scope.Administrators().Grant(ctx, bob.ID, db.PlatformRoleOwner, now), db.ErrNotFound)
	})
}

// TestMigrate_AdministratorsFromSetupLinks: the migration that adds the
// administrator record makes platform owners of the admin tenant's users
// that setup made (they have a setup link) and of no one else: not a user
// the open sign-up made, not another tenant's user.
func TestMigrate_AdministratorsFromSetupLinks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := tenants.NewService(d, "localhost:8080")
		admin, err := ts.EnsureAdmin(ctx)
		require.NoError(t, err)
		acme, err := ts.Create(ctx, "acme", "Acme")
		require.NoError(t, err)
		scope := d.ForTenant(admin.ID)
		now := time.Now()
		link := func(scope db.Scope, u *db.User) {
			hash := make([]byte, 32)
			_, _ = rand.Read(hash)
			require.NoError(t, scope.SetupLinks().Create(ctx, &db.SetupLink{UserID: u.ID, TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
		}
		ada := newUser(t, scope, "ada@example.com")
		link(scope, ada)
		link(scope, ada)
		eve := newUser(t, scope, "eve@evil.example")
		bob := newUser(t, d.ForTenant(acme.ID), "bob@example.com")
		link(d.ForTenant(acme.ID), bob)

		// Back to the schema before the migration, then migrate.
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			if _, err := tx.SQL().ExecContext(ctx, `DROP TABLE administrators`); err != nil {
				return err
			}
			_, err := tx.SQL().ExecContext(ctx, `DELETE FROM sesame_migrations WHERE version = '20261203130000_administrators'`)
			return err
		}))
		applied, err := d.Migrate(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"20261203130000_administrators"}, applied)

		role, err := scope.Administrators().Role(ctx, ada.ID)
		require.NoError(t, err)
		require.Equal(t, db.PlatformRoleOwner, role)
		_, err = scope.Administrators().Role(ctx, eve.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "a user with no setup link gets no record")
		_, err = d.ForTenant(acme.ID).Administrators().Role(ctx, bob.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}
