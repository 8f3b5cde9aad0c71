package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestCLI_ConnectorCreateListDelete(t *testing.T) {
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

			// Refusals name the flag and say what to do.
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise",
				"--issuer", "https://idp.corp.example", "--client-id", "sesame", "--client-secret", "s3cret")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "domains: An enterprise connector needs at least one email domain")
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise",
				"--issuer", "http://idp.corp.example", "--client-id", "sesame", "--client-secret", "s3cret", "--domain", "corp.example")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "issuer: The issuer must be an https URL")
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise", "--type", "saml",
				"--domain", "corp.example")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "give the IdP's metadata: --metadata-url URL or --metadata-file FILE")

			code, stdout, stderr := cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise",
				"--issuer", "https://idp.corp.example", "--client-id", "sesame", "--client-secret", "s3cret", "--domain", "Corp.Example", "--json")
			require.Equal(t, exitOK, code, stderr)
			var out struct {
				ID          string   `json:"id"`
				CallbackURL string   `json:"callback_url"`
				Domains     []string `json:"domains"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			id := uuid.MustParse(out.ID)
			require.Equal(t, "https://acme.id.example.com/federation/"+out.ID+"/callback", out.CallbackURL)
			require.Equal(t, []string{"corp.example"}, out.Domains)
			require.NotContains(t, stdout, "s3cret")

			// A domain routes to one connector only: the CLI verified it
			// for the first.
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Other", "--kind", "enterprise",
				"--issuer", "https://idp2.corp.example", "--client-id", "x", "--client-secret", "y", "--domain", "corp.example")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), `domains: corp.example is already verified for the connector "Corp SSO"`)

			code, stdout, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "GitHub", "--kind", "social",
				"--preset", "github", "--client-id", "gh", "--client-secret", "ghs", "--json")
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, `"kind":"social"`)

			code, stdout, stderr = cli(t, env, "connector", "list", "--tenant", "acme")
			require.Equal(t, exitOK, code, stderr)
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			require.Len(t, lines, 2)
			require.Contains(t, lines[0], out.ID+"\tenterprise\toidc\tCorp SSO\tcorp.example\t"+out.CallbackURL)
			require.Contains(t, lines[1], "\tsocial\toidc\tGitHub\t")

			code, stdout, stderr = cli(t, env, "connector", "delete", "--tenant", "acme", "--id", out.ID)
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, "deleted connector "+out.ID)
			code, _, stderr = cli(t, env, "connector", "delete", "--tenant", "acme", "--id", out.ID)
			require.Equal(t, exitError, code)
			require.Contains(t, stderr, "has no connector")

			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
			require.NoError(t, err)
			_, err = d.ForTenant(tn.ID).Connectors().Get(t.Context(), id)
			require.ErrorIs(t, err, db.ErrNotFound)
		})
	}
}
