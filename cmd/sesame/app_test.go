package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestCLI_AppCreateListRotateDelete(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dsn := testdb.NewDSN(t, b)
			env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com"}
			code, _, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)
			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitOK, code, stderr)

			code, _, stderr = cli(t, env, "app", "create", "--tenant", "acme", "--name", "Shop", "--type", "web", "--redirect-uri", "http://shop.example.com/cb")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "redirect-uris: ")
			require.Contains(t, stderr, "use https")

			code, stdout, stderr := cli(t, env, "app", "create", "--tenant", "acme", "--name", "Shop", "--type", "web",
				"--redirect-uri", "https://shop.example.com/cb", "--redirect-uri", "http://127.0.0.1:3000/cb", "--json")
			require.Equal(t, exitOK, code, stderr)
			var out struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
				Issuer       string `json:"issuer"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			require.Len(t, out.ClientID, 32)
			require.True(t, strings.HasPrefix(out.ClientSecret, "sesame_secret_"))
			require.Equal(t, "https://acme.id.example.com", out.Issuer)
			require.Contains(t, oneLine(t, stderr), "shown only now")
			require.NotContains(t, stderr, out.ClientSecret)

			// Stored only as its hash.
			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
			require.NoError(t, err)
			a, err := d.ForTenant(tn.ID).OIDCApps().ByClientID(t.Context(), out.ClientID)
			require.NoError(t, err)
			require.Equal(t, apps.HashSecret(out.ClientSecret), a.SecretHash)
			require.Equal(t, db.StringList{"https://shop.example.com/cb", "http://127.0.0.1:3000/cb"}, a.RedirectURIs)

			code, stdout, stderr = cli(t, env, "app", "create", "--tenant", "acme", "--name", "SPA", "--type", "spa", "--redirect-uri", "https://spa.example.com/cb")
			require.Equal(t, exitOK, code, stderr)
			require.Regexp(t, `^client_id: [0-9a-f]{32}\n$`, stdout, "a public client gets no secret")

			code, stdout, _ = cli(t, env, "app", "list", "--tenant", "acme")
			require.Equal(t, exitOK, code)
			require.Contains(t, stdout, out.ClientID+"\tweb\tShop\thttps://shop.example.com/cb http://127.0.0.1:3000/cb\n")
			require.NotContains(t, stdout, out.ClientSecret)

			code, stdout, stderr = cli(t, env, "app", "rotate-secret", "--tenant", "acme", "--client-id", out.ClientID, "--json")
			require.Equal(t, exitOK, code, stderr)
			var rotated struct {
				ClientSecret string `json:"client_secret"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &rotated))
			require.NotEqual(t, out.ClientSecret, rotated.ClientSecret)
			a, err = d.ForTenant(tn.ID).OIDCApps().ByClientID(t.Context(), out.ClientID)
			require.NoError(t, err)
			require.Equal(t, apps.HashSecret(rotated.ClientSecret), a.SecretHash)
			require.Equal(t, apps.HashSecret(out.ClientSecret), a.PreviousSecretHash)

			code, _, stderr = cli(t, env, "app", "delete", "--tenant", "acme", "--client-id", "nope")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "has no application nope")
			code, _, stderr = cli(t, env, "app", "delete", "--tenant", "acme", "--client-id", out.ClientID)
			require.Equal(t, exitOK, code, stderr)
			_, err = d.ForTenant(tn.ID).OIDCApps().ByClientID(t.Context(), out.ClientID)
			require.ErrorIs(t, err, db.ErrNotFound)
		})
	}
}
