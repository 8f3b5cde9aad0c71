package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// The sign-in page's sign-up link carries an application's authorization
// request in the page as served, so a sign-up started before the page's
// scripts run still returns to the application; the request id is
// escaped, and without a request the link is plain.
func TestSignInPage_SignUpLinkCarriesTheApplicationsRequest(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	c := newAPIClient(t, srv, "acme")
	for path, want := range map[string]string{
		"/":                         `href="/sign-up" id="sign-up-link"`,
		"/?authRequest=abc-123":     `href="/sign-up?authRequest=abc-123" id="sign-up-link"`,
		`/?authRequest=a%22%3E%26b`: `href="/sign-up?authRequest=a%22%3E%26b" id="sign-up-link"`,
	} {
		r := c.do(http.MethodGet, path, nil, nil)
		require.Equal(t, http.StatusOK, r.status, path)
		require.Contains(t, string(r.body), want, path)
	}
}
