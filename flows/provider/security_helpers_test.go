package provider_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// startServer runs a server on a fresh database of backend b.
func startServer(t *testing.T, b testdb.Backend) *testserver.Server {
	t.Helper()
	return testserver.Start(t, b, testserver.Options{})
}

// rawServer is a server and a second, plain database/sql connection to its
// database, to read the rows as they are stored.
type rawServer struct {
	*testserver.Server
	raw *sql.DB
}

func startRawServer(t *testing.T, b testdb.Backend, opts testserver.Options) *rawServer {
	t.Helper()
	dsn := testdb.NewDSN(t, b)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.Migrate(ctx)
	require.NoError(t, err)
	driver, name := "pgx", dsn
	if b == testdb.SQLite {
		driver, name = "sqlite", strings.TrimPrefix(dsn, "sqlite:")
	}
	raw, err := sql.Open(driver, name)
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	opts.DB = d
	return &rawServer{Server: testserver.Start(t, b, opts), raw: raw}
}

// dump is every value of every row of table, as text.
func (s *rawServer) dump(t *testing.T, table string) string {
	t.Helper()
	rows, err := s.raw.QueryContext(t.Context(), "SELECT * FROM "+table)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out strings.Builder
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&out, "%s=%v\n", cols[i], v)
		}
		n++
	}
	require.NoError(t, rows.Err())
	require.NotZero(t, n, "%s has rows", table)
	return out.String()
}

// tokenCall posts form to the tenant's token endpoint as clientID (with
// secret in Basic authentication, or without one as a public client) and
// returns the status and the JSON answer.
func tokenCall(t *testing.T, rp *relyingParty, form url.Values, clientID, secret string) (int, map[string]any) {
	t.Helper()
	return formCall(t, rp, rp.issuer+"/oidc/token", form, clientID, secret)
}

func formCall(t *testing.T, rp *relyingParty, endpoint string, form url.Values, clientID, secret string) (int, map[string]any) {
	t.Helper()
	if secret == "" {
		form.Set("client_id", clientID)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := rp.ctx.Value(oauth2.HTTPClient).(*http.Client).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// codeGrant is a code exchange's form.
func codeGrant(code, redirect, verifier string) url.Values {
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}
