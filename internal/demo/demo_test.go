package demo_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/demo"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestEnsureApp_OneApplicationWhoseSecretIsInTheFile: registering twice
// changes nothing; a lost file gets a new secret for the same client; a new
// origin replaces the application; always one application, and the file
// (owner-only) holds a secret the application accepts.
func TestEnsureApp_OneApplicationWhoseSecretIsInTheFile(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		scope := d.ForTenant(testdb.Tenant(t, d, "demo").ID)
		reg := demo.Registration{Issuer: "http://demo.localhost:8080", Origin: "http://127.0.0.1:8090",
			ClientFile: filepath.Join(t.TempDir(), "data", demo.ClientFileName)}
		only := func() (*db.OIDCApp, demo.Client) {
			t.Helper()
			list, err := scope.OIDCApps().List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 1)
			a := list[0]
			require.Equal(t, demo.AppName, a.Name)
			require.Equal(t, apps.TypeWeb, a.Type)
			require.True(t, a.FirstParty)
			c, err := demo.ReadClient(reg.ClientFile)
			require.NoError(t, err)
			require.Equal(t, a.ClientID, c.ClientID)
			require.Equal(t, []string{c.RedirectURI}, []string(a.RedirectURIs))
			require.Equal(t, []string{c.PostLogoutRedirectURI}, []string(a.PostLogoutRedirectURIs))
			require.Equal(t, reg.Issuer, c.Issuer)
			a.PreviousSecretHash = nil // the file holds the current secret
			require.NoError(t, apps.CheckSecret(a, c.ClientSecret, now))
			info, err := os.Stat(reg.ClientFile)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
			return a, c
		}

		out, err := demo.EnsureApp(ctx, scope, reg, now)
		require.NoError(t, err)
		require.Equal(t, demo.Created, out)
		first, file := only()
		require.Equal(t, "http://127.0.0.1:8090/callback", file.RedirectURI)

		out, err = demo.EnsureApp(ctx, scope, reg, now)
		require.NoError(t, err)
		require.Equal(t, demo.Unchanged, out)
		again, fileAgain := only()
		require.Equal(t, first.ClientID, again.ClientID)
		require.Equal(t, file, fileAgain)

		require.NoError(t, os.Remove(reg.ClientFile))
		out, err = demo.EnsureApp(ctx, scope, reg, now)
		require.NoError(t, err)
		require.Equal(t, demo.SecretRenewed, out)
		renewed, renewedFile := only()
		require.Equal(t, first.ClientID, renewed.ClientID)
		require.NotEqual(t, file.ClientSecret, renewedFile.ClientSecret)

		reg.Origin = "http://127.0.0.1:9000"
		out, err = demo.EnsureApp(ctx, scope, reg, now)
		require.NoError(t, err)
		require.Equal(t, demo.Created, out)
		moved, movedFile := only()
		require.NotEqual(t, first.ClientID, moved.ClientID)
		require.Equal(t, "http://127.0.0.1:9000/signed-out", movedFile.PostLogoutRedirectURI)
	})
}

func TestReadClient_MissingFileSaysSo(t *testing.T) {
	t.Parallel()
	_, err := demo.ReadClient(filepath.Join(t.TempDir(), "none.json"))
	require.ErrorIs(t, err, demo.ErrNoClientFile)
}
