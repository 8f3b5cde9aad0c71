package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// TestCLI_ConnectorUpdateChangesOnlyTheFlagsGiven: `sesame connector
// update` renames a connector, replaces its scopes, claims and secret,
// changes its response mode and trust, adds a domain (pending, with the
// command to verify it) and removes one; the rest stays. A refusal names
// the flag.
func TestCLI_ConnectorUpdateChangesOnlyTheFlagsGiven(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewDSN(t, testdb.SQLite)
	env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com"}
	code, _, stderr := cli(t, env, "migrate")
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
	require.Equal(t, exitOK, code, stderr)
	code, stdout, stderr := cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise",
		"--issuer", "https://idp.corp.example", "--client-id", "sesame", "--client-secret", "s3cret", "--domain", "corp.example", "--json")
	require.Equal(t, exitOK, code, stderr)
	var out struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))

	update := func(args ...string) (int, string, string) {
		return cli(t, env, append([]string{"connector", "update", "--tenant", "acme", "--id", out.ID}, args...)...)
	}
	code, _, stderr = update("--scope", "email")
	require.Equal(t, exitUsage, code)
	require.Contains(t, oneLine(t, stderr), `scopes: The scopes must include "openid"`)
	code, _, stderr = update("--remove-domain", "corp.example")
	require.Equal(t, exitUsage, code)
	require.Contains(t, oneLine(t, stderr), "domains: An enterprise connector needs at least one email domain")

	code, stdout, stderr = update("--name", "Corp", "--scope", "openid", "--scope", "email", "--claim", "email=mail",
		"--response-mode", "form_post", "--trust-email-verified", "--client-secret", "n3w", "--domain", "new.example", "--remove-domain", "corp.example")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, `updated connector `+out.ID+` "Corp"`)
	require.Contains(t, stderr, "sesame connector verify-domain --tenant acme --id "+out.ID+" --domain new.example")
	require.NotContains(t, stdout+stderr, "n3w")

	d, err := db.Open(t.Context(), dsn, db.Options{})
	require.NoError(t, err)
	defer d.Close()
	tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
	require.NoError(t, err)
	scope := d.ForTenant(tn.ID)
	c, err := federation.Get(t.Context(), scope, uuid.MustParse(out.ID))
	require.NoError(t, err)
	require.Equal(t, "Corp", c.Name)
	require.Equal(t, "n3w", c.Secret)
	require.Equal(t, []string{"openid", "email"}, c.Settings.Scopes)
	require.Equal(t, "mail", c.Settings.Claims.Email)
	require.True(t, c.Settings.FormPost())
	require.True(t, c.Settings.TrustEmailVerified)
	require.Equal(t, "https://idp.corp.example", c.Settings.Issuer)
	require.Equal(t, []string{"new.example"}, c.Domains)
	states, err := federation.DomainStates(t.Context(), scope, []*federation.Connector{c}, time.Now())
	require.NoError(t, err)
	require.Nil(t, states[c.ID][0].VerifiedAt, "a domain added by update is pending")
}
