package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/server"
)

// The OpenID Provider's requests and answers carry secrets in URLs: the
// redirect to a client carries the code in its Location, logout carries
// the ID token in its query. The access line has neither.
func TestAccessLog_LogsNeitherTheQueryNorTheRedirectLocation(t *testing.T) {
	t.Parallel()
	const code, hint, refresh = "CODE-8f3a", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.SIG-77", "REFRESH-5d1"
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	h := server.AccessLog(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			panic("boom")
		}
		http.Redirect(w, r, "http://127.0.0.1:9/callback?code="+code+"&state=s&iss=http%3A%2F%2Facme", http.StatusFound)
	}))
	for _, target := range []string{
		"/oidc/login?id=7b0c",
		"/oidc/end_session?id_token_hint=" + hint + "&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fout",
		"/oidc/authorize?client_id=c&code_verifier=" + refresh + "&refresh_token=" + refresh,
		"/boom?access_token=" + refresh,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		path, _, _ := strings.Cut(target, "?")
		require.Contains(t, buf.String(), `"path":"`+path+`"`)
	}
	out := buf.String()
	for _, secret := range []string{code, hint, "eyJ", refresh, "127.0.0.1:9", "state=s"} {
		require.NotContains(t, out, secret)
	}
}
