package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
)

// nativeLoopback is a native application's registered loopback redirect
// URI; at run time the port may differ (RFC 8252 §7.3), nothing else.
const nativeLoopback = "http://127.0.0.1/callback"

// authorizeQuery is an authorization request of clientID to redirect,
// with PKCE S256.
func authorizeQuery(clientID, redirect string) url.Values {
	return url.Values{"client_id": {clientID}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"},
		"redirect_uri": {redirect}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
}

// requireErrorPage checks that r is Sesame's own error page for reason:
// no Location at all, so nothing is sent anywhere.
func requireErrorPage(t *testing.T, r response, reason, what string) {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, r.status, what)
	require.Empty(t, r.header.Get("Location"), "%s: never a redirect", what)
	require.Contains(t, string(r.body), `data-reason="`+reason+`"`, what)
}

func TestSecurity_RedirectURIsWithSchemesThatRunCodeAreRefusedAtRegistration(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			d := testdb.New(t, b)
			tn := testdb.Tenant(t, d, "acme")
			scope := d.ForTenant(tn.ID)
			bad := []string{"javascript:alert(1)", "javascript://127.0.0.1/%0aalert(1)", "data:text/html,<script>alert(1)</script>",
				"JavaScript:alert(1)", "vbscript:msgbox(1)", "file:///etc/passwd", "http://evil.example/callback",
				"https://user@app.example/callback", "https://app.example/callback#x", "https://*.example/callback"}
			for _, typ := range []string{apps.TypeWeb, apps.TypeSPA, apps.TypeNative} {
				for _, uri := range bad {
					_, err := apps.Create(t.Context(), scope, apps.Spec{Name: "App", Type: typ, RedirectURIs: []string{uri}}, time.Now())
					require.Error(t, err, "%s redirect URI %q", typ, uri)
					_, err = apps.Create(t.Context(), scope, apps.Spec{Name: "App", Type: typ, RedirectURIs: []string{"https://app.example/cb"},
						PostLogoutRedirectURIs: []string{uri}}, time.Now())
					require.Error(t, err, "%s post-logout redirect URI %q", typ, uri)
				}
			}
		})
	}
}

func TestSecurity_AnUnregisteredRedirectURIGetsSesamesErrorPageNeverARedirect(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			web := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			native := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Phone", Type: apps.TypeNative, RedirectURIs: []string{nativeLoopback}})
			br := newBrowser(t, srv, "acme")

			requireErrorPage(t, br.get("/oidc/authorize?"+authorizeQuery("unknown-client", redirectURI).Encode()), "unknown_client", "an unknown client")
			requireErrorPage(t, br.get("/oidc/authorize?"+authorizeQuery("", "https://evil.example/").Encode()), "unknown_client", "no client")
			near := []string{
				"https://evil.example/callback",
				redirectURI + "/",
				"http://127.0.0.1:9/Callback",
				"HTTP://127.0.0.1:9/callback",
				redirectURI + "?next=https://evil.example/",
				redirectURI + "?",
				redirectURI + "#frag",
				"http://evil.example@127.0.0.1:9/callback",
				"http://127.0.0.1:9@evil.example/callback",
				"http://127.0.0.1:9/callback/../evil",
				"http://127.0.0.1:9//evil.example/callback",
				"javascript:alert(document.domain)//" + redirectURI,
				"data:text/html,<script>alert(1)</script>",
				"",
			}
			for _, uri := range near {
				requireErrorPage(t, br.get("/oidc/authorize?"+authorizeQuery(web.conf.ClientID, uri).Encode()), "unknown_redirect", "web: "+uri)
			}
			// The same checks for a request sent as a form (POST).
			form := authorizeQuery(web.conf.ClientID, "https://evil.example/callback")
			requireErrorPage(t, br.do(http.MethodPost, br.origin+"/oidc/authorize", strings.NewReader(form.Encode()),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), "unknown_redirect", "a form post")

			// A native application's loopback URI may differ in its port,
			// and in nothing else.
			at := br.follow(br.origin + "/oidc/authorize?" + authorizeQuery(native.conf.ClientID, "http://127.0.0.1:51234/callback").Encode())
			require.Equal(t, "/", at.Path, "another port of the registered loopback URI: the sign-in page")
			for _, uri := range []string{
				"http://127.0.0.1:51234/callback/",
				"http://127.0.0.1:51234/callback?x=1",
				"http://127.0.0.1:51234/callback#frag",
				"http://evil.example@127.0.0.1:51234/callback",
				"https://127.0.0.1:51234/callback",
				"http://localhost:51234/callback",
				"http://127.0.0.2:51234/callback",
				"javascript:alert(1)",
			} {
				requireErrorPage(t, br.get("/oidc/authorize?"+authorizeQuery(native.conf.ClientID, uri).Encode()), "unknown_redirect", "native: "+uri)
			}
		})
	}
}

func TestSecurity_AnUnregisteredPostLogoutRedirectURIIsNeverRedirectedTo(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			const after = "http://127.0.0.1:9/signed-out"
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI},
				PostLogoutRedirectURIs: []string{after}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := rp.authorize(br)
			tok, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			hint := tok.Extra("id_token").(string)

			for _, uri := range []string{"https://evil.example/", after + "/", after + "?x=1", "javascript:alert(1)", "data:text/html,x",
				"http://evil.example@127.0.0.1:9/signed-out", redirectURI} {
				for _, q := range []url.Values{
					{"id_token_hint": {hint}, "post_logout_redirect_uri": {uri}, "state": {"bye"}},
					{"client_id": {rp.conf.ClientID}, "post_logout_redirect_uri": {uri}},
					{"post_logout_redirect_uri": {uri}},
				} {
					r := br.get("/oidc/end_session?" + q.Encode())
					if loc := r.header.Get("Location"); loc != "" {
						u := r.location(t, br.origin)
						require.Equal(t, br.origin, u.Scheme+"://"+u.Host, "%q: only a page on Sesame, got %s", uri, loc)
					}
				}
			}
			require.Equal(t, http.StatusOK, br.get("/account").status, "no refused logout ended the session")
		})
	}
}

// The library reads the last of a repeated parameter; Sesame's check must
// judge the very value the library uses, so a repeated client_id or
// redirect_uri is refused (RFC 6749 §3.1: no parameter more than once).
func TestSecurity_ARepeatedClientOrRedirectURIIsRefusedOnSesamesErrorPage(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			web := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			other := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Other", Type: apps.TypeWeb, RedirectURIs: []string{otherRedirect}})
			native := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Phone", Type: apps.TypeNative, RedirectURIs: []string{nativeLoopback}})
			br := newBrowser(t, srv, "acme")

			type refusal struct {
				q      url.Values
				reason string
			}
			cases := map[string]refusal{}
			add := func(name, reason string, client *relyingParty, param string, values ...string) {
				q := authorizeQuery(client.conf.ClientID, redirectURI)
				if client == native {
					q.Set("redirect_uri", "http://127.0.0.1:5000/callback")
				}
				q[param] = values
				cases[name] = refusal{q, reason}
			}
			add("registered, then evil", "unknown_redirect", web, "redirect_uri", redirectURI, "https://evil.example/callback")
			add("evil, then registered", "unknown_redirect", web, "redirect_uri", "https://evil.example/callback", redirectURI)
			add("registered twice", "unknown_redirect", web, "redirect_uri", redirectURI, redirectURI)
			add("native: another loopback host last", "unknown_redirect", native, "redirect_uri", "http://127.0.0.1:5000/callback", "https://localhost:5000/callback")
			add("native: a fragment last", "unknown_redirect", native, "redirect_uri", "http://127.0.0.1:5000/callback", "http://127.0.0.1:5000/callback#x")
			add("two clients", "unknown_client", web, "client_id", web.conf.ClientID, other.conf.ClientID)
			for name, c := range cases {
				requireErrorPage(t, br.get("/oidc/authorize?"+c.q.Encode()), c.reason, name)
			}

			// A form post whose query names another redirect URI.
			body := authorizeQuery(web.conf.ClientID, redirectURI)
			r := br.do(http.MethodPost, br.origin+"/oidc/authorize?redirect_uri="+url.QueryEscape("https://evil.example/callback"),
				strings.NewReader(body.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			requireErrorPage(t, r, "unknown_redirect", "a form post with a redirect URI in its query")
		})
	}
}
