package main

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// TestCLI_ConnectorClaims: --claim NAME=CLAIM (repeatable) stores the
// connector's claim mapping, --response-mode its response mode; a wrong
// NAME, form or mode is refused, naming the flag, with nothing stored.
func TestCLI_ConnectorClaims(t *testing.T) {
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
			base := []string{"connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise",
				"--issuer", "https://idp.corp.example", "--client-id", "sesame", "--client-secret", "s3cret", "--domain", "corp.example"}

			code, _, stderr = cli(t, env, append(base, "--claim", "mail")...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "--claim mail: say NAME=CLAIM")
			code, _, stderr = cli(t, env, append(base, "--claim", "phone=tel")...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), `claims: There is no claim field "phone"`)
			code, _, stderr = cli(t, env, append(base, "--claim", "email=mail\x01")...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "claims.email:")
			code, _, stderr = cli(t, env, append(base, "--response-mode", "fragment")...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), `response-mode: Use "query" or "form_post"`)
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SAML", "--kind", "enterprise",
				"--type", "saml", "--metadata-url", "https://idp.corp.example/metadata", "--domain", "corp.example", "--claim", "email=mail")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "--claim maps an OpenID Provider's claims")

			code, stdout, _ := cli(t, env, "connector", "list", "--tenant", "acme")
			require.Equal(t, exitOK, code)
			require.Empty(t, stdout)

			code, stdout, stderr = cli(t, env, append(base, "--claim", "subject=oid", "--claim", "email=mail",
				"--claim", "email_verified=mail_verified", "--claim", "name=display_name", "--response-mode", "form_post", "--json")...)
			require.Equal(t, exitOK, code, stderr)
			var out struct {
				ID string `json:"id"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))

			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
			require.NoError(t, err)
			row, err := d.ForTenant(tn.ID).Connectors().Get(t.Context(), uuid.MustParse(out.ID))
			require.NoError(t, err)
			c, err := federation.Parse(row)
			require.NoError(t, err)
			require.Equal(t, federation.Claims{Subject: "oid", Email: "mail", EmailVerified: "mail_verified", Name: "display_name"}, c.Settings.Claims)
			require.Equal(t, federation.ResponseModeFormPost, c.Settings.ResponseMode)
		})
	}
}
