package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
)

// userinfoCall asks the tenant's userinfo endpoint with the given
// Authorization header (none when empty) or form.
func userinfoCall(t *testing.T, rp *relyingParty, authorization string, form url.Values) *http.Response {
	t.Helper()
	method, body := http.MethodGet, ""
	if form != nil {
		method, body = http.MethodPost, form.Encode()
	}
	req, err := http.NewRequest(method, rp.issuer+"/oidc/userinfo", strings.NewReader(body))
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := rp.ctx.Value(oauth2.HTTPClient).(*http.Client).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestSecurity_UserinfoAnswersARefusedTokenWithABearerChallenge(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			m2m := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Jobs", Type: apps.TypeM2M, Scopes: []string{"reports"}})
			bravo := newRelyingParty(t, srv, "bravo", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := rp.authorize(br)
			code := codeAt(t, at, "")
			tok, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			resp := userinfoCall(t, rp, "Bearer "+tok.AccessToken, nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Empty(t, resp.Header.Get("WWW-Authenticate"))
			cc := clientcredentials.Config{ClientID: m2m.conf.ClientID, ClientSecret: m2m.conf.ClientSecret, TokenURL: m2m.issuer + "/oidc/token", Scopes: []string{"reports"}}
			machine, err := cc.Token(m2m.ctx)
			require.NoError(t, err)

			resp = userinfoCall(t, rp, "", nil)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no token")
			require.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"), "no error code without a token (RFC 6750 §3.1)")

			invalid := map[string]func() *http.Response{
				"garbage":           func() *http.Response { return userinfoCall(t, rp, "Bearer not-a-token", nil) },
				"empty bearer":      func() *http.Response { return userinfoCall(t, rp, "Bearer ", nil) },
				"garbage in a form": func() *http.Response { return userinfoCall(t, rp, "", url.Values{"access_token": {"not-a-token"}}) },
				"tampered": func() *http.Response {
					return userinfoCall(t, rp, "Bearer "+tok.AccessToken[:len(tok.AccessToken)-3]+"AAA", nil)
				},
				"a machine's token": func() *http.Response { return userinfoCall(t, rp, "Bearer "+machine.AccessToken, nil) },
				"at another tenant": func() *http.Response { return userinfoCall(t, bravo, "Bearer "+tok.AccessToken, nil) },
				"another tenant (form)": func() *http.Response {
					return userinfoCall(t, bravo, "", url.Values{"access_token": {tok.AccessToken}})
				},
			}
			for name, call := range invalid {
				resp := call()
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
				require.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"), name)
			}

			// A revoked token (its code presented again) is invalid too.
			_, err = rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.Error(t, err)
			resp = userinfoCall(t, rp, "Bearer "+tok.AccessToken, nil)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "revoked")
			require.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"), "revoked")
		})
	}
}

// RFC 6749 §5.1 and RFC 7662 §4: a response that carries a token or what a
// token grants is never stored by a cache.
func TestSecurity_TokenAnswersAreNeverCached(t *testing.T) {
	t.Parallel()
	srv := startServer(t, testdb.SQLite)
	srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	br := newBrowser(t, srv, "acme")
	br.signUp(newDevice(srv, "acme"), "ana@example.com")
	at, verifier := rp.authorize(br)
	client := rp.ctx.Value(oauth2.HTTPClient).(*http.Client)

	post := func(path string, form url.Values, secret bool) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, rp.issuer+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if secret {
			req.SetBasicAuth(rp.conf.ClientID, rp.conf.ClientSecret)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	code := codeAt(t, at, "")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	req, err := http.NewRequest(http.MethodPost, rp.issuer+"/oidc/token", strings.NewReader(codeGrant(code, redirectURI, verifier).Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(rp.conf.ClientID, rp.conf.ClientSecret)
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	answers := map[string]*http.Response{
		"token":            resp,
		"failed token":     post("/oidc/token", codeGrant(code, redirectURI, verifier), true),
		"introspection":    post("/oidc/introspect", url.Values{"token": {tok.AccessToken}}, true),
		"userinfo":         userinfoCall(t, rp, "Bearer "+tok.AccessToken, nil),
		"refused userinfo": userinfoCall(t, rp, "Bearer x", nil),
	}
	for name, r := range answers {
		require.Equal(t, "no-store", r.Header.Get("Cache-Control"), name)
	}
}
