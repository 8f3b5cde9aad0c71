package apps_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestCheckRedirectURI_ExactHTTPSOrLoopbackOrNativeScheme(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ, uri string
		ok       bool
	}{
		{apps.TypeWeb, "https://app.example.com/callback", true},
		{apps.TypeWeb, "http://127.0.0.1:3000/callback", true},
		{apps.TypeWeb, "http://localhost:3000/callback", true},
		{apps.TypeSPA, "http://[::1]/cb", true},
		{apps.TypeWeb, "http://app.example.com/callback", false},
		{apps.TypeWeb, "https://*.example.com/callback", false},
		{apps.TypeWeb, "https://app.example.com/cb#frag", false},
		{apps.TypeWeb, "https://user@app.example.com/cb", false},
		{apps.TypeWeb, "/callback", false},
		{apps.TypeWeb, "com.example.app:/callback", false},
		{apps.TypeNative, "com.example.app:/callback", true},
		{apps.TypeNative, "myapp:/callback", false},
		{apps.TypeNative, "http://127.0.0.1/callback", true},
		{apps.TypeNative, "javascript:alert(1)", false},
	} {
		err := apps.CheckRedirectURI(tc.typ, tc.uri)
		if tc.ok {
			require.NoError(t, err, "%s %s", tc.typ, tc.uri)
		} else {
			require.Error(t, err, "%s %s", tc.typ, tc.uri)
		}
	}
}

func TestSpec_NormalizeFillsDefaultsAndRefusesWhatATypeCannotHave(t *testing.T) {
	t.Parallel()
	s := apps.Spec{Name: " Shop ", Type: apps.TypeSPA, RedirectURIs: []string{"https://shop.test/cb"}}
	require.NoError(t, s.Normalize())
	require.Equal(t, "Shop", s.Name)
	require.Equal(t, apps.AlgRS256, s.IDTokenAlg)
	require.Equal(t, apps.DefaultScopes, s.Scopes)
	require.Equal(t, apps.DefaultAccessTokenTTL, s.AccessTokenTTL)

	for field, bad := range map[string]apps.Spec{
		"type":          {Name: "x", Type: "daemon", RedirectURIs: []string{"https://a.test/cb"}},
		"redirect_uris": {Name: "x", Type: apps.TypeM2M, RedirectURIs: []string{"https://a.test/cb"}},
		"id_token_alg":  {Name: "x", Type: apps.TypeWeb, RedirectURIs: []string{"https://a.test/cb"}, IDTokenAlg: "HS256"},
		"name":          {Name: "", Type: apps.TypeWeb, RedirectURIs: []string{"https://a.test/cb"}},
	} {
		err := bad.Normalize()
		var fe *flows.Error
		require.ErrorAs(t, err, &fe, field)
		require.Equal(t, field, fe.Field)
	}
	noURI := apps.Spec{Name: "x", Type: apps.TypeWeb}
	require.Error(t, noURI.Normalize(), "a web application needs a redirect URI")
}

func TestRotateSecret_PreviousSecretWorksDuringOverlapOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		c, err := apps.Create(ctx, s, apps.Spec{Name: "Jobs", Type: apps.TypeM2M}, now)
		require.NoError(t, err)
		require.NotEmpty(t, c.Secret)
		require.NotContains(t, string(c.App.SecretHash), c.Secret)

		spa, err := apps.Create(ctx, s, apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{"https://spa.test/cb"}}, now)
		require.NoError(t, err)
		require.Empty(t, spa.Secret, "a public client has no secret")
		_, err = apps.RotateSecret(ctx, s, spa.App.ClientID, now)
		require.ErrorIs(t, err, db.ErrNotFound)

		next, err := apps.RotateSecret(ctx, s, c.App.ClientID, now)
		require.NoError(t, err)
		a, err := s.OIDCApps().ByClientID(ctx, c.App.ClientID)
		require.NoError(t, err)
		require.NoError(t, apps.CheckSecret(a, next, now))
		require.NoError(t, apps.CheckSecret(a, c.Secret, now.Add(apps.SecretOverlap-time.Second)))
		require.ErrorIs(t, apps.CheckSecret(a, c.Secret, now.Add(apps.SecretOverlap)), apps.ErrWrongSecret)
		require.ErrorIs(t, apps.CheckSecret(a, "sesame_secret_guess", now), apps.ErrWrongSecret)
	})
}
