package main

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// TestCLI_KeyRotate: `sesame key rotate` retires the tenant's signing key
// and makes a new one under the server's key-encryption key; both stay
// published, the new one signs, and without a key-encryption key the
// command refuses rather than sealing a key nobody can open.
func TestCLI_KeyRotate(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dsn := testdb.NewDSN(t, b)
			kek := make([]byte, 32)
			for i := range kek {
				kek[i] = byte(i + 1)
			}
			env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com",
				"SESAME_KEY_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(kek)}
			code, _, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)
			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitOK, code, stderr)

			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
			require.NoError(t, err)
			ring, err := provider.NewKeyRing(d, kek, clock.Real{})
			require.NoError(t, err)
			before, err := ring.Published(t.Context(), tn.ID)
			require.NoError(t, err)
			require.NotEmpty(t, before)

			code, stdout, stderr := cli(t, env, "key", "rotate", "--tenant", "acme")
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, "rotated the RS256 signing key of tenant acme")

			rows, err := d.ForTenant(tn.ID).OIDCKeys().Published(t.Context(), time.Now().Add(-provider.KeyOverlap))
			require.NoError(t, err)
			var rs256, retired int
			for _, r := range rows {
				if r.Alg == "RS256" {
					rs256++
					if r.RetiredAt != nil {
						retired++
					}
				}
			}
			require.Equal(t, 2, rs256, "the old RS256 key is still published beside the new one")
			require.Equal(t, 1, retired, "only the old one is retired")
			after, err := provider.NewKeyRing(d, kek, clock.Real{})
			require.NoError(t, err)
			keys, err := after.Published(t.Context(), tn.ID)
			require.NoError(t, err, "the new key opens under the server's key-encryption key")
			require.Len(t, keys, len(before)+1)

			if b == testdb.SQLite { // its data folder is the test's own, with no key file
				noKEK := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com"}
				code, _, stderr = cli(t, noKEK, "key", "rotate", "--tenant", "acme", "--alg", "ES256")
				require.Equal(t, exitError, code)
				require.Contains(t, stderr, "no key-encryption key")
			}
			code, _, stderr = cli(t, env, "key", "rotate", "--tenant", "acme", "--alg", "HS256")
			require.Equal(t, exitUsage, code)
			require.Contains(t, stderr, "neither RS256 nor ES256")
		})
	}
}
