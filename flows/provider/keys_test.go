package provider_test

import (
	"bytes"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestKeyRing_SealsParsesOnceAndRotatesWithOverlap(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		clk := clock.NewFake(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
		kek := bytes.Repeat([]byte{7}, 32)
		kr, err := provider.NewKeyRing(d, kek, clk)
		require.NoError(t, err)
		acme := testdb.Tenant(t, d, "acme").ID
		bravo := testdb.Tenant(t, d, "bravo").ID

		first, err := kr.Signing(ctx, acme, jose.RS256)
		require.NoError(t, err)
		again, err := kr.Signing(ctx, acme, jose.RS256)
		require.NoError(t, err)
		require.Same(t, first, again, "parsed once, then served from memory")

		rows, err := d.ForTenant(acme).OIDCKeys().Published(ctx, clk.Now().Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, rows, 1)
		require.NotContains(t, string(rows[0].SealedKey), "PRIVATE", "sealed at rest")

		other, err := kr.Signing(ctx, bravo, jose.RS256)
		require.NoError(t, err)
		require.NotEqual(t, first.ID(), other.ID(), "each tenant has its own keys")

		// Another process with another key-encryption key cannot open them.
		wrong, err := provider.NewKeyRing(d, bytes.Repeat([]byte{8}, 32), clk)
		require.NoError(t, err)
		_, err = wrong.Signing(ctx, acme, jose.RS256)
		require.ErrorContains(t, err, "does not open")

		require.NoError(t, kr.Rotate(ctx, acme, jose.RS256))
		next, err := kr.Signing(ctx, acme, jose.RS256)
		require.NoError(t, err)
		require.NotEqual(t, first.ID(), next.ID())
		ids := func() []string {
			keys, err := kr.Published(ctx, acme)
			require.NoError(t, err)
			var out []string
			for _, k := range keys {
				out = append(out, k.ID())
			}
			return out
		}
		require.Contains(t, ids(), first.ID(), "the retired key stays in the JWKS during the overlap")
		require.Contains(t, ids(), next.ID())
		clk.Advance(provider.KeyOverlap + 2*time.Minute)
		require.NotContains(t, ids(), first.ID(), "and leaves it after")
	})
}

func TestAMR_TellsAPasskeyFromAPasswordAndTwoFactors(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"swk", "user"}, provider.AMR("webauthn"))
	require.Equal(t, []string{"pwd"}, provider.AMR("pwd"))
	require.Equal(t, []string{"pwd", "otp", "mfa"}, provider.AMR("pwd,otp"))
	require.Equal(t, []string{"otp", "swk", "user", "mfa"}, provider.AMR("otp,webauthn"))
	require.Equal(t, "phr", provider.ACR("pwd,webauthn"))
	require.Empty(t, provider.ACR("pwd,otp"))
}

// TestKeyRing_RereadsKeysWithoutParsingThemAgain: when a process re-reads
// a tenant's keys (to see another process's rotation), a key it has
// already parsed is served from memory, RS256 and ES256 alike.
func TestKeyRing_RereadsKeysWithoutParsingThemAgain(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	clk := clock.NewFake(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	kr, err := provider.NewKeyRing(d, bytes.Repeat([]byte{7}, 32), clk)
	require.NoError(t, err)
	acme := testdb.Tenant(t, d, "acme").ID
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256} {
		first, err := kr.Signing(t.Context(), acme, alg)
		require.NoError(t, err)
		clk.Advance(10 * time.Minute)
		again, err := kr.Signing(t.Context(), acme, alg)
		require.NoError(t, err)
		require.Same(t, first, again, "%s: re-read, not parsed again", alg)
	}
}
