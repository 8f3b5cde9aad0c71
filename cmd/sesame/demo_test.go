package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/demo"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// TestServe_DemoRegistersTheDemoAppOnce: `serve --demo` run twice leaves
// one application named "Demo app" in the demo tenant, the same client,
// whose secret is the one in demo-app.json in the data folder; the demo
// tenant's sign-up asks no code.
func TestServe_DemoRegistersTheDemoAppOnce(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewDSN(t, testdb.SQLite)
	env := map[string]string{
		"DATABASE_URL":        dsn,
		"SESAME_BASE_DOMAIN":  "sesame.test",
		"SESAME_LISTEN":       "127.0.0.1:0",
		"SESAME_DEMO":         "true",
		"SESAME_DEMO_APP_URL": "http://127.0.0.1:18090",
	}
	file := filepath.Join(dataFolder(dsn), demo.ClientFileName)
	var clientIDs []string
	for round := range 2 {
		_, stop := startServe(t, env)
		logs := stop()
		require.Equal(t, round == 0, strings.Contains(logs, "registered the demo app"), logs)

		d, err := db.Open(context.Background(), dsn, db.Options{})
		require.NoError(t, err)
		ts := tenants.NewService(d, "sesame.test")
		tn, err := ts.BySlug(context.Background(), demoSlug)
		require.NoError(t, err)
		require.False(t, tn.Settings.SignUp.VerifyIdentifiers)
		list, err := d.ForTenant(tn.ID).OIDCApps().List(context.Background())
		require.NoError(t, err)
		require.NoError(t, d.Close())
		require.Len(t, list, 1)
		require.Equal(t, demo.AppName, list[0].Name)
		require.Equal(t, []string{"http://127.0.0.1:18090/callback"}, []string(list[0].RedirectURIs))

		c, err := demo.ReadClient(file)
		require.NoError(t, err)
		require.Equal(t, list[0].ClientID, c.ClientID)
		require.Equal(t, ts.Origin(tn), c.Issuer)
		require.NoError(t, apps.CheckSecret(list[0], c.ClientSecret, list[0].CreatedAt))
		clientIDs = append(clientIDs, c.ClientID)
	}
	require.Equal(t, clientIDs[0], clientIDs[1])
}

func TestServe_DemoPrintsTheDemoAppURL(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	printURLs(&out, Config{Demo: true, BaseDomain: "localhost:8080", DemoAppURL: "http://127.0.0.1:8090"}, "http", "127.0.0.1:8080", "http://admin.localhost:8080/setup#x")
	require.Contains(t, out.String(), "demo app:      http://127.0.0.1:8090")
}

// TestServe_PrintsWhatTheREADMEShows: make run's output is the block the
// README's "Set up" section shows, the development outbox included.
func TestServe_PrintsWhatTheREADMEShows(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "`make run` prints:\n\n```\n")
	require.True(t, ok, "the README shows make run's output")
	want, _, ok := strings.Cut(after, "```")
	require.True(t, ok)

	var out bytes.Buffer
	cfg := Config{Demo: true, Env: "development", BaseDomain: "localhost:8080", DemoAppURL: "http://127.0.0.1:8090"}
	printURLs(&out, cfg, "http", "127.0.0.1:8080", "http://admin.localhost:8080/setup#...")
	require.Equal(t, want, out.String())

	out.Reset()
	cfg.Env = "production"
	printURLs(&out, cfg, "https", "127.0.0.1:8080", "")
	require.NotContains(t, out.String(), "outbox", "only development has an outbox")
}

func TestCLI_DemoAppURLMustBeAnHTTPSOrLoopbackOrigin(t *testing.T) {
	t.Parallel()
	for v, ok := range map[string]bool{
		"http://127.0.0.1:8090":     true,
		"http://localhost:8090/":    true,
		"https://demo.example.com":  true,
		"http://demo.example.com":   false,
		"http://127.0.0.1:8090/app": false,
		"http://127.0.0.1:8090?x=1": false,
		"127.0.0.1:8090":            false,
	} {
		var c Config
		err := applyDemoAppURL(&c, v)
		require.Equal(t, ok, err == nil, "%s: %v", v, err)
	}
}
