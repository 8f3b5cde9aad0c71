package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestCLI_AdminCreatePrintsAOneTimeLinkAndOwnsTheTenants(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dsn := testdb.NewDSN(t, b)
			env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "sesame.test"}
			code, _, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)
			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitOK, code, stderr)

			code, _, stderr = cli(t, env, "admin", "create", "--email", "not-an-email")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "--email needs")
			code, _, stderr = cli(t, env, "admin", "create", "--email", "ada@example.com", "--tenant", "acme", "--tenant", "nope")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), `no tenant has slug "nope"`)

			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			ts := tenants.NewService(d, "sesame.test")
			admin, err := ts.EnsureAdmin(t.Context())
			require.NoError(t, err)
			_, err = d.ForTenant(admin.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ada@example.com")
			require.ErrorIs(t, err, db.ErrNotFound, "a refused command writes nothing")

			code, stdout, stderr := cli(t, env, "admin", "create", "--email", "Ada@Example.com", "--tenant", "acme")
			require.Equal(t, exitOK, code, stderr)
			require.Regexp(t, regexp.MustCompile(`^https://admin\.sesame\.test/setup#[A-Za-z0-9_-]{43}\n$`), stdout)
			require.Contains(t, oneLine(t, stderr), "it works once")
			u, err := d.ForTenant(admin.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ada@example.com")
			require.NoError(t, err)
			id, err := d.ForTenant(admin.ID).Users().Identifier(t.Context(), db.IdentifierEmail, "ada@example.com")
			require.NoError(t, err)
			require.NotNil(t, id.VerifiedAt, "the operator vouches for the address")
			acme, err := ts.BySlug(t.Context(), "acme")
			require.NoError(t, err)
			role, err := d.ForTenant(admin.ID).Memberships().Role(t.Context(), u.ID, acme.ID)
			require.NoError(t, err)
			require.Equal(t, db.RoleOwner, role)

			code, _, stderr = cli(t, env, "admin", "create", "--email", "ada@example.com")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "already an administrator")
			code, again, stderr := cli(t, env, "admin", "link", "--email", "ada@example.com")
			require.Equal(t, exitOK, code, stderr)
			require.NotEqual(t, stdout, again, "a new link each time")
			require.True(t, strings.HasPrefix(again, "https://admin.sesame.test/setup#"))
			code, _, stderr = cli(t, env, "admin", "link", "--email", "bob@example.com")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "is not an administrator")
		})
	}
}

// TestCLI_AdminRoles: `admin create` makes a platform owner unless --role
// says member; `admin link` keeps the role, or changes it with --role, and
// refuses a user of the admin tenant who has no administrator record
// unless given one.
func TestCLI_AdminRoles(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dsn := testdb.NewDSN(t, b)
			env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "sesame.test"}
			code, _, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)

			code, _, stderr = cli(t, env, "admin", "create", "--email", "x@example.com", "--role", "root")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "--role must be platform_owner or member")
			code, _, stderr = cli(t, env, "admin", "create", "--email", "ada@example.com")
			require.Equal(t, exitOK, code, stderr)
			code, _, stderr = cli(t, env, "admin", "create", "--email", "bob@example.com", "--role", "member")
			require.Equal(t, exitOK, code, stderr)

			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			admin, err := tenants.NewService(d, "sesame.test").EnsureAdmin(t.Context())
			require.NoError(t, err)
			scope := d.ForTenant(admin.ID)
			role := func(email string) string {
				u, err := scope.Users().ByIdentifier(t.Context(), db.IdentifierEmail, email)
				require.NoError(t, err)
				r, err := scope.Administrators().Role(t.Context(), u.ID)
				if errors.Is(err, db.ErrNotFound) {
					return ""
				}
				require.NoError(t, err)
				return r
			}
			require.Equal(t, db.PlatformRoleOwner, role("ada@example.com"))
			require.Equal(t, db.PlatformRoleMember, role("bob@example.com"))

			code, _, stderr = cli(t, env, "admin", "link", "--email", "bob@example.com")
			require.Equal(t, exitOK, code, stderr)
			require.Equal(t, db.PlatformRoleMember, role("bob@example.com"), "link keeps the role")
			code, _, stderr = cli(t, env, "admin", "link", "--email", "bob@example.com", "--role", "platform_owner")
			require.Equal(t, exitOK, code, stderr)
			require.Equal(t, db.PlatformRoleOwner, role("bob@example.com"))

			// A user of the admin tenant with no record (as the open
			// sign-up once made) gets no link without an explicit role.
			handle := make([]byte, 32)
			u := &db.User{WebAuthnHandle: handle, DisplayName: "eve@evil.example"}
			require.NoError(t, scope.Users().Create(t.Context(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: "eve@evil.example"}))
			code, stdout, stderr := cli(t, env, "admin", "link", "--email", "eve@evil.example")
			require.Equal(t, exitError, code)
			require.Empty(t, stdout)
			require.Contains(t, oneLine(t, stderr), "has no administrator role")
			require.Equal(t, "", role("eve@evil.example"))
		})
	}
}
