package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	chromium "github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/demo"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// demoSetup is a running Sesame with a demo tenant set up as `serve --demo`
// sets it up, and the demo app registered there and served on 127.0.0.1.
type demoSetup struct {
	srv    *testserver.Server
	tenant string
	app    string
}

func startDemo(t *testing.T) demoSetup {
	t.Helper()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "demo", "Demo")
	tn = srv.SetSettings(t, "demo", func(st *tenants.Settings) { *st = demo.TenantSettings(*st) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	origin := "http://" + ln.Addr().String()
	file := filepath.Join(t.TempDir(), demo.ClientFileName)
	outcome, err := demo.EnsureApp(t.Context(), srv.DB.ForTenant(tn.ID), demo.Registration{
		Issuer: srv.URL("demo"), Origin: origin, ClientFile: file,
	}, time.Now())
	require.NoError(t, err)
	require.Equal(t, demo.Created, outcome)

	hs := &http.Server{Handler: New(Options{ClientFile: file}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Shutdown(context.Background()) })
	return demoSetup{srv: srv, tenant: srv.URL("demo"), app: origin}
}

// TestDemoApp_SignUpWithAPasskeyShowsTheUserThenSignOutEndsTheTenantSession
// drives Chromium with a virtual authenticator through the loop a
// newcomer makes: "Sign in" on the demo app, sign-up with a passkey on the
// demo tenant's page, back on the demo app with the user's email and an
// amr naming a passkey; then "Sign out" ends the tenant's session too and
// returns to the demo app.
func TestDemoApp_SignUpWithAPasskeyShowsTheUserThenSignOutEndsTheTenantSession(t *testing.T) {
	t.Parallel()
	d := startDemo(t)
	tab := chromium.New(t).NewTab(t)
	authenticator := tab.AddVirtualAuthenticator(t, chromium.AuthenticatorOptions{})

	tab.Navigate(t, d.app)
	tab.Click(t, "#sign-in")
	tab.WaitVisible(t, "#identifier")
	require.True(t, strings.HasPrefix(tab.Location(t), d.tenant+"/?authRequest="), tab.Location(t))
	tab.Click(t, "#sign-up-link")
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", "ana@example.com")
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")

	tab.WaitVisible(t, "#signed-in")
	require.Equal(t, d.app+"/", tab.Location(t))
	require.Equal(t, "ana@example.com", tab.Text(t, "#user-email"))
	require.Contains(t, tab.Text(t, "#amr"), "swk: a passkey")
	require.Contains(t, tab.Text(t, "#acr"), "phr")
	require.Contains(t, tab.Text(t, "#claims"), `"nonce"`)
	require.NotEmpty(t, tab.Text(t, "#user-sub"))

	tab.Navigate(t, d.tenant+"/account")
	require.Equal(t, "/account", path(t, tab.Location(t)), "signed in on the tenant before signing out")

	tab.Navigate(t, d.app)
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#notice")
	require.Equal(t, d.app+demo.SignedOutPath, strings.Split(tab.Location(t), "?")[0])
	require.Contains(t, tab.Text(t, "#notice"), "You signed out")
	tab.WaitVisible(t, "#sign-in")

	// Without its passkey at hand (the sign-in page would offer it by
	// autofill), the person finds the tenant's sign-in page.
	authenticator.RemoveAll(t)
	tab.Navigate(t, d.tenant+"/account")
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, "/", path(t, tab.Location(t)), "the tenant's session ended: /account leads to sign-in")
	tab.Navigate(t, d.app)
	tab.WaitVisible(t, "#sign-in")
	require.Empty(t, tab.ConsoleErrors())
}

func path(t *testing.T, location string) string {
	t.Helper()
	u, err := url.Parse(location)
	require.NoError(t, err)
	return u.Path
}
