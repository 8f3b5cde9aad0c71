package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func noRedirects(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestDemoApp_SignInSendsPKCEStateAndNonceAndACallbackNeedsItsState: the
// authorization request carries an S256 challenge, a state and a nonce and
// no secret; a callback with another state is refused, and the pending
// sign-in is then spent.
func TestDemoApp_SignInSendsPKCEStateAndNonceAndACallbackNeedsItsState(t *testing.T) {
	t.Parallel()
	d := startDemo(t)
	c := noRedirects(t)
	resp, err := c.Post(d.app+"/sign-in", "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	body(t, resp)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, d.tenant+"/oidc/authorize", loc.Scheme+"://"+loc.Host+loc.Path)
	q := loc.Query()
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.NotEmpty(t, q.Get("code_challenge"))
	require.GreaterOrEqual(t, len(q.Get("state")), 43)
	require.GreaterOrEqual(t, len(q.Get("nonce")), 43)
	require.Equal(t, d.app+"/callback", q.Get("redirect_uri"))
	require.NotContains(t, loc.String(), "secret")

	resp, err = c.Get(d.app + "/callback?code=anything&state=another")
	require.NoError(t, err)
	require.Contains(t, body(t, resp), "Please sign in again")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, err = c.Get(d.app + "/callback?code=anything&state=" + url.QueryEscape(q.Get("state")))
	require.NoError(t, err)
	body(t, resp)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "a pending sign-in is used once")
}

// TestDemoApp_RefusesCrossOriginPostsAndSaysWhenItIsNotRegistered: another
// site cannot post the demo app's forms; before `serve --demo` wrote the
// client file, "Sign in" says what to do.
func TestDemoApp_RefusesCrossOriginPostsAndSaysWhenItIsNotRegistered(t *testing.T) {
	t.Parallel()
	h := New(Options{ClientFile: filepath.Join(t.TempDir(), "missing.json")})

	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8090/sign-out", strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusForbidden, rec.Code)

	req, err = http.NewRequest(http.MethodPost, "http://127.0.0.1:8090/sign-in", strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, rec.Body.String(), "not registered with Sesame yet")
}
