package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestCLI_AppBackchannelLogoutURIAndDeleteRevokesTokens(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewDSN(t, testdb.SQLite)
	env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com"}
	code, _, stderr := cli(t, env, "migrate")
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
	require.Equal(t, exitOK, code, stderr)

	base := []string{"app", "create", "--tenant", "acme", "--name", "Shop", "--type", "web", "--redirect-uri", "https://shop.example.com/cb"}
	code, _, stderr = cli(t, env, append(base, "--backchannel-logout-uri", "http://shop.example.com/bc")...)
	require.Equal(t, exitUsage, code)
	require.Contains(t, oneLine(t, stderr), "backchannel-logout-uri: ")

	code, stdout, stderr := cli(t, env, append(base, "--backchannel-logout-uri", "https://shop.example.com/bc",
		"--backchannel-logout-session-required", "--json")...)
	require.Equal(t, exitOK, code, stderr)
	var out struct {
		ClientID string `json:"client_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))

	d, err := db.Open(t.Context(), dsn, db.Options{})
	require.NoError(t, err)
	defer d.Close()
	tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
	require.NoError(t, err)
	scope := d.ForTenant(tn.ID)
	a, err := scope.OIDCApps().ByClientID(t.Context(), out.ClientID)
	require.NoError(t, err)
	require.Equal(t, "https://shop.example.com/bc", a.BackchannelLogoutURI)
	require.True(t, a.BackchannelLogoutSessionRequired)

	now := time.Now()
	tok := &db.OIDCToken{ClientID: out.ClientID, Subject: out.ClientID, Scopes: db.StringList{}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	tok.ID = uuid.New()
	require.NoError(t, scope.OIDCTokens().Create(t.Context(), tok))
	code, _, stderr = cli(t, env, "app", "delete", "--tenant", "acme", "--client-id", out.ClientID)
	require.Equal(t, exitOK, code, stderr)
	_, err = scope.OIDCTokens().Get(t.Context(), tok.ID, now)
	require.ErrorIs(t, err, db.ErrNotFound, "deleting the application revokes its tokens")
}
