package apps_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestCheckBackchannelLogoutURI_ExactHTTPSOrLoopback(t *testing.T) {
	t.Parallel()
	for uri, ok := range map[string]bool{
		"https://app.example.com/backchannel":      true,
		"https://app.example.com/logout?tenant=a":  true,
		"http://127.0.0.1:3000/backchannel":        true,
		"http://localhost/backchannel":             true,
		"http://app.example.com/backchannel":       false,
		"https://*.example.com/backchannel":        false,
		"https://app.example.com/backchannel#frag": false,
		"https://user@app.example.com/backchannel": false,
		"/backchannel":                              false,
		"com.example.app:/backchannel":              false,
		"https:///backchannel":                      false,
		"https://app.example.com/back channel":      false,
		"javascript:alert(1)":                       false,
		"ftp://app.example.com/backchannel":         false,
		"https://app.example.com/backchannel\nHost": false,
	} {
		err := apps.CheckBackchannelLogoutURI(uri)
		if ok {
			require.NoError(t, err, uri)
		} else {
			require.Error(t, err, uri)
		}
	}
}

func TestSpec_BackchannelLogoutRules(t *testing.T) {
	t.Parallel()
	web := func(uri string, sid bool) apps.Spec {
		return apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{"https://shop.test/cb"},
			BackchannelLogoutURI: uri, BackchannelLogoutSessionRequired: sid}
	}
	s := web(" https://shop.test/backchannel ", true)
	require.NoError(t, s.Normalize())
	require.Equal(t, "https://shop.test/backchannel", s.BackchannelLogoutURI)

	for field, spec := range map[string]apps.Spec{
		"backchannel_logout_uri":              web("http://shop.test/backchannel", false),
		"backchannel_logout_session_required": web("", true),
	} {
		err := spec.Normalize()
		require.ErrorIs(t, err, flows.ErrInvalidInput)
		var e *errcode.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, field, e.Field)
	}
	m2m := apps.Spec{Name: "Jobs", Type: apps.TypeM2M, BackchannelLogoutURI: "https://jobs.test/backchannel"}
	require.ErrorIs(t, m2m.Normalize(), flows.ErrInvalidInput, "a machine has no sessions")
}

func TestUpdate_SetsAndRemovesTheBackchannelLogoutURI(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, now := t.Context(), time.Now()
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		c, err := apps.Create(ctx, s, apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{"https://shop.test/cb"},
			BackchannelLogoutURI: "https://shop.test/backchannel", BackchannelLogoutSessionRequired: true}, now)
		require.NoError(t, err)
		got, err := s.OIDCApps().ByClientID(ctx, c.App.ClientID)
		require.NoError(t, err)
		require.Equal(t, "https://shop.test/backchannel", got.BackchannelLogoutURI)
		require.True(t, got.BackchannelLogoutSessionRequired)

		none, off := "", false
		_, err = apps.Update(ctx, s, c.App.ID, apps.Change{BackchannelLogoutURI: &none, BackchannelLogoutSessionRequired: &off}, now)
		require.NoError(t, err)
		got, err = s.OIDCApps().ByClientID(ctx, c.App.ClientID)
		require.NoError(t, err)
		require.Empty(t, got.BackchannelLogoutURI)
		require.False(t, got.BackchannelLogoutSessionRequired)
	})
}
