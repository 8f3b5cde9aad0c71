package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestCLI_APIKeyCreateListRevoke(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dsn := testdb.NewDSN(t, b)
			env := map[string]string{"DATABASE_URL": dsn}
			code, _, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)
			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitOK, code, stderr)

			code, _, stderr = cli(t, env, "apikey", "create", "--tenant", "acme")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "--name is required")
			code, _, stderr = cli(t, env, "apikey", "create", "--tenant", "nope", "--name", "ci")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), `no tenant has slug "nope"`)

			code, stdout, stderr := cli(t, env, "apikey", "create", "--tenant", "acme", "--name", "ci")
			require.Equal(t, exitOK, code, stderr)
			key := strings.TrimSpace(stdout)
			require.Regexp(t, `^`+graph.APIKeyPrefix+`[A-Za-z0-9_-]{43}$`, key, "stdout holds the key alone, for scripts")
			require.Contains(t, oneLine(t, stderr), "shown only now")
			require.NotContains(t, stderr, key)

			// Stored only as its hash, found by it for acme only.
			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
			require.NoError(t, err)
			k, err := d.ForTenant(tn.ID).APIKeys().ByHash(t.Context(), graph.HashAPIKey(key))
			require.NoError(t, err)
			require.NotContains(t, string(k.KeyHash), key)
			require.Equal(t, key[:len(k.Prefix)], k.Prefix)

			code, stdout, _ = cli(t, env, "apikey", "list", "--tenant", "acme")
			require.Equal(t, exitOK, code)
			require.Regexp(t, regexp.MustCompile(`^`+k.ID.String()+`\tci\t`+regexp.QuoteMeta(k.Prefix)+`…\tcreated \d{4}-\d\d-\d\d\tnever used\n$`), stdout)
			require.NotContains(t, stdout, key)

			code, _, stderr = cli(t, env, "apikey", "revoke", "--tenant", "acme", "--id", "x")
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "is not a key id")
			code, stdout, stderr = cli(t, env, "apikey", "revoke", "--tenant", "acme", "--id", k.ID.String())
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, "revoked")
			_, err = d.ForTenant(tn.ID).APIKeys().ByHash(t.Context(), graph.HashAPIKey(key))
			require.ErrorIs(t, err, db.ErrNotFound, "a revoked key no longer works")
			code, _, stderr = cli(t, env, "apikey", "revoke", "--tenant", "acme", "--id", k.ID.String())
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "has no active key")
		})
	}
}
