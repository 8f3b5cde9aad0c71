package graph_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/testdb"
)

// raw sends a request as a browser or a script might, outside the GraphQL
// client.
func (e *apiEnv) raw(method, host, contentType, body string, header map[string]string) (int, string) {
	r := httptest.NewRequest(method, "/graphql", strings.NewReader(body))
	r.Host = host
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.srv.App.Handler.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Body)
	return w.Code, string(b)
}

func TestEndpoint_OnlyJSONPostsAndCookiesNeedTheCustomHeader(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, testdb.SQLite, false)
	p := e.acme
	cookie := "sesame_session=" + p.session.Token

	status, body := e.raw(http.MethodGet, p.host, "", "", nil)
	require.Equal(t, http.StatusMethodNotAllowed, status)
	require.Contains(t, body, `"code":"method_not_allowed"`)

	// A cross-site HTML form posting with the victim's cookie: no JSON, no
	// custom header. Refused before anything runs.
	status, body = e.raw(http.MethodPost, p.host, "application/x-www-form-urlencoded", "query=mutation+%7BsetMFA(enabled%3Afalse)%7BmfaEnabled%7D%7D",
		map[string]string{"Cookie": cookie, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	require.Equal(t, http.StatusForbidden, status, body)
	require.Contains(t, body, `"code":"csrf_header_missing"`)
	// The same as text/plain JSON (no preflight) with the cookie.
	status, body = e.raw(http.MethodPost, p.host, "text/plain", `{"query":"{ me { id } }"}`, map[string]string{"Cookie": cookie})
	require.Equal(t, http.StatusForbidden, status, body)
	// JSON with the cookie but without the header.
	status, body = e.raw(http.MethodPost, p.host, "application/json", `{"query":"{ me { id } }"}`, map[string]string{"Cookie": cookie})
	require.Equal(t, http.StatusForbidden, status, body)
	require.Contains(t, body, `"code":"csrf_header_missing"`)
	// With the header it works.
	status, body = e.raw(http.MethodPost, p.host, "application/json", `{"query":"{ me { id } }"}`, map[string]string{"Cookie": cookie, graph.CSRFHeader: "1"})
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, p.user.ID.String())
	// A form body with a Bearer key is still not GraphQL over POST JSON.
	status, _ = e.raw(http.MethodPost, p.host, "application/x-www-form-urlencoded", "query=%7Btenant%7Bslug%7D%7D", map[string]string{"Authorization": "Bearer " + p.key})
	require.NotEqual(t, http.StatusOK, status)
	// A malformed Authorization header is refused, not ignored.
	status, _ = e.raw(http.MethodPost, p.host, "application/json", `{"query":"{ tenant { slug } }"}`, map[string]string{"Authorization": "Basic abc"})
	require.Equal(t, http.StatusUnauthorized, status)
}

func TestEndpoint_ComplexityTokensSuggestionsAndIntrospection(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, testdb.SQLite, false)
	p := e.acme

	// 100 users with every list: far over the limit.
	a := e.post(t, p.host, admin, p, strings.Replace(qUsers, "first: 10", "first: 100", 1), nil)
	require.Equal(t, "query_too_complex", a.code())
	require.Nil(t, a.data["users"])
	// The same fields for 10 users are fine.
	e.ok(t, p, admin, qUsers, nil)

	// A query of too many tokens is refused before it is parsed whole.
	var huge strings.Builder
	huge.WriteString("{ tenant { ")
	for i := range graph.MaxTokens {
		fmt.Fprintf(&huge, "a%d: slug ", i)
	}
	huge.WriteString("} }")
	a = e.post(t, p.host, admin, p, huge.String(), nil)
	require.NotEmpty(t, a.errors)
	require.Contains(t, a.errors[0].Message, "token limit")

	// No field suggestions: a misspelt field does not reveal the schema.
	a = e.post(t, p.host, admin, p, `{ tenant { slgu } }`, nil)
	require.NotEmpty(t, a.errors)
	require.NotContains(t, a.errors[0].Message, "Did you mean")

	// Introspection only in development.
	const introspect = `{ __schema { types { name } } }`
	a = e.post(t, p.host, admin, p, introspect, nil)
	require.NotEmpty(t, a.errors, "introspection is off in production")
	dev := newAPIEnv(t, testdb.SQLite, true)
	d := dev.ok(t, dev.acme, admin, introspect, nil)
	require.Contains(t, fmt.Sprint(d), "PasskeySettings")
}
