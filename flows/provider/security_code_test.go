package provider_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

const otherRedirect = "http://127.0.0.1:9/other"

func TestSecurity_MixUp_TheIssuerAnswersAndAnotherTenantsCodeIsRefused(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			a := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			bv := newRelyingParty(t, srv, "bravo", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			ba := newBrowser(t, srv, "acme")
			ba.signUp(newDevice(srv, "acme"), "ana@example.com")
			bb := newBrowser(t, srv, "bravo")
			bb.signUp(newDevice(srv, "bravo"), "bob@example.com")

			at, _ := a.authorize(ba)
			require.Equal(t, a.issuer, at.Query().Get("iss"), "RFC 9207: A's response names A")
			at, verifier := bv.authorize(bb)
			require.Equal(t, bv.issuer, at.Query().Get("iss"), "RFC 9207: B's response names B")
			code := at.Query().Get("code")
			require.NotEmpty(t, code)

			// B's code at A's token endpoint: with A's client, and with B's
			// client (unknown at A). A does not know the code, so the code
			// stays B's.
			status, body := tokenCall(t, a, codeGrant(code, redirectURI, verifier), a.conf.ClientID, a.conf.ClientSecret)
			require.Equal(t, http.StatusBadRequest, status, "%v", body)
			require.Equal(t, "invalid_grant", body["error"])
			status, body = tokenCall(t, a, codeGrant(code, redirectURI, verifier), bv.conf.ClientID, bv.conf.ClientSecret)
			require.GreaterOrEqual(t, status, 400, "%v", body)
			require.Empty(t, body["access_token"])

			_, err := bv.conf.Exchange(bv.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err, "at B, with B's client, the code still works")
		})
	}
}

func TestSecurity_CodeInjection_ACodeIsBoundToItsClientRedirectURIAndVerifier(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			x := newRelyingParty(t, srv, "acme", apps.Spec{Name: "X", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI, otherRedirect}})
			y := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Y", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			spa := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")

			refused := func(form url.Values, clientID, secret, what string) {
				t.Helper()
				status, body := tokenCall(t, x, form, clientID, secret)
				require.GreaterOrEqual(t, status, 400, "%s: %v", what, body)
				require.Empty(t, body["access_token"], what)
				require.Empty(t, body["id_token"], what)
			}
			// Each attempt on a fresh code, so that none is refused only
			// because an earlier one used it.
			for name, attempt := range map[string]func(code, verifier string){
				"redeemed by another client": func(code, verifier string) {
					refused(codeGrant(code, redirectURI, verifier), y.conf.ClientID, y.conf.ClientSecret, "client Y")
				},
				"redeemed by a public client": func(code, verifier string) {
					refused(codeGrant(code, redirectURI, verifier), spa.conf.ClientID, "", "public client")
				},
				"by its client without the secret": func(code, verifier string) {
					refused(codeGrant(code, redirectURI, verifier), x.conf.ClientID, "", "no client secret")
				},
				"by its client with a wrong secret": func(code, verifier string) {
					refused(codeGrant(code, redirectURI, verifier), x.conf.ClientID, "sesame_secret_wrong", "wrong client secret")
				},
				"with another registered redirect URI": func(code, verifier string) {
					refused(codeGrant(code, otherRedirect, verifier), x.conf.ClientID, x.conf.ClientSecret, "redirect_uri")
				},
				"without a redirect URI": func(code, verifier string) {
					f := codeGrant(code, redirectURI, verifier)
					f.Del("redirect_uri")
					refused(f, x.conf.ClientID, x.conf.ClientSecret, "no redirect_uri")
				},
				"without a verifier": func(code, _ string) {
					refused(codeGrant(code, redirectURI, ""), x.conf.ClientID, x.conf.ClientSecret, "no code_verifier")
				},
				"with a wrong verifier": func(code, _ string) {
					refused(codeGrant(code, redirectURI, oauth2.GenerateVerifier()), x.conf.ClientID, x.conf.ClientSecret, "wrong code_verifier")
				},
				"with the challenge as the verifier": func(code, verifier string) {
					refused(codeGrant(code, redirectURI, oauth2.S256ChallengeFromVerifier(verifier)), x.conf.ClientID, x.conf.ClientSecret, "challenge as verifier")
				},
			} {
				at, verifier := x.authorize(br)
				code := codeAt(t, at, "")
				attempt(code, verifier)
				// The code is used up where it is looked up, before the
				// client and verifier are checked: a wrong attempt cannot
				// be retried (no guessing of verifiers), and the client
				// cannot redeem it after an attacker tried.
				_, err := x.conf.Exchange(x.ctx, code, oauth2.VerifierOption(verifier))
				require.ErrorContains(t, err, "invalid_grant", "%s: the code is spent", name)
			}

			// PKCE plain is refused for every type; a public client must use
			// PKCE.
			for _, rp := range []*relyingParty{x, spa} {
				q := authorizeQuery(rp.conf.ClientID, redirectURI)
				q.Set("code_challenge", "plain-verifier-plain-verifier-plain-verifier-1")
				q.Set("code_challenge_method", "plain")
				at := br.follow(br.origin + "/oidc/authorize?" + q.Encode())
				require.Equal(t, "invalid_request", at.Query().Get("error"), "PKCE plain is refused (%s)", rp.conf.ClientID)
				require.Empty(t, at.Query().Get("code"))
				require.Equal(t, rp.issuer, at.Query().Get("iss"), "RFC 9207: an error response names the issuer too")
				require.Equal(t, "s", at.Query().Get("state"), "state returned unchanged")
			}
			// Without a method, a challenge means plain (RFC 7636 §4.3).
			q := authorizeQuery(x.conf.ClientID, redirectURI)
			q.Del("code_challenge_method")
			at := br.follow(br.origin + "/oidc/authorize?" + q.Encode())
			require.Equal(t, "invalid_request", at.Query().Get("error"), "a challenge without a method is plain")
			q = authorizeQuery(spa.conf.ClientID, redirectURI)
			q.Del("code_challenge")
			q.Del("code_challenge_method")
			at = br.follow(br.origin + "/oidc/authorize?" + q.Encode())
			require.Equal(t, "invalid_request", at.Query().Get("error"), "a public client without PKCE")
			require.Empty(t, at.Query().Get("code"))
		})
	}
}

func TestSecurity_TheNonceIsBoundIntoTheIDTokenOfItsOwnRequest(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")

			at1, v1 := rp.authorize(br, gooidc.Nonce("nonce-one"))
			at2, v2 := rp.authorize(br, gooidc.Nonce("nonce-two"))
			at3, v3 := rp.authorize(br)
			for _, c := range []struct {
				at       *url.URL
				verifier string
				nonce    string
			}{{at2, v2, "nonce-two"}, {at1, v1, "nonce-one"}, {at3, v3, ""}} {
				tok, err := rp.conf.Exchange(rp.ctx, codeAt(t, c.at, ""), oauth2.VerifierOption(c.verifier))
				require.NoError(t, err)
				idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
				require.NoError(t, err)
				require.Equal(t, c.nonce, idt.Nonce, "the nonce of the request the code answers")
			}
		})
	}
}

func TestSecurity_ARefreshTokenServesOnlyTheClientItWasIssuedTo(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			spec := apps.Spec{Name: "X", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}}
			x := newRelyingParty(t, srv, "acme", spec)
			y := newRelyingParty(t, srv, "acme", spec)
			spa := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI}})
			other := newRelyingParty(t, srv, "bravo", spec)
			x.conf.Scopes = append(x.conf.Scopes, "offline_access")
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := x.authorize(br)
			tok, err := x.conf.Exchange(x.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			require.NotEmpty(t, tok.RefreshToken)

			status, body := tokenCall(t, x, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
				"scope": {"openid offline_access email profile phone"}}, x.conf.ClientID, x.conf.ClientSecret)
			require.Equal(t, http.StatusBadRequest, status, "more scopes than granted: %v", body)
			require.Equal(t, "invalid_scope", body["error"])
			grant := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
			for _, c := range []struct {
				rp       *relyingParty
				id, pass string
				what     string
			}{
				{y, y.conf.ClientID, y.conf.ClientSecret, "another confidential client"},
				{spa, spa.conf.ClientID, "", "a public client"},
				{x, x.conf.ClientID, "", "the client without its secret"},
				{x, x.conf.ClientID, "sesame_secret_wrong", "the client with a wrong secret"},
				{other, other.conf.ClientID, other.conf.ClientSecret, "a client of another tenant"},
			} {
				status, body := tokenCall(t, c.rp, url.Values{"grant_type": grant["grant_type"], "refresh_token": grant["refresh_token"]}, c.id, c.pass)
				require.GreaterOrEqual(t, status, 400, "%s: %v", c.what, body)
				require.Empty(t, body["access_token"], c.what)
			}
		})
	}
}

// jwks fetches a tenant's published keys.
func jwks(t *testing.T, rp *relyingParty) jose.JSONWebKeySet {
	t.Helper()
	resp, err := rp.ctx.Value(oauth2.HTTPClient).(*http.Client).Get(rp.issuer + "/oidc/keys")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(raw, &set))
	require.NotEmpty(t, set.Keys)
	return set
}

func TestSecurity_TenantIsolation_AnotherTenantRefusesATenantsTokens(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			for _, alg := range []string{apps.AlgRS256, apps.AlgES256} {
				a := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}, IDTokenAlg: alg})
				bv := newRelyingParty(t, srv, "bravo", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}, IDTokenAlg: alg})
				res := newRelyingParty(t, srv, "bravo", apps.Spec{Name: "API", Type: apps.TypeM2M})
				br := newBrowser(t, srv, "acme")
				br.signUp(newDevice(srv, "acme"), strings.ToLower(alg)+"@example.com")
				at, verifier := a.authorize(br)
				tok, err := a.conf.Exchange(a.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
				require.NoError(t, err)

				// A's access token at B's userinfo and introspection.
				_, err = bv.provider.UserInfo(bv.ctx, oauth2.StaticTokenSource(tok))
				require.Error(t, err, "B's userinfo refuses A's token")
				for _, caller := range []*relyingParty{bv, res} {
					status, body := formCall(t, bv, bv.issuer+"/oidc/introspect", url.Values{"token": {tok.AccessToken}}, caller.conf.ClientID, caller.conf.ClientSecret)
					require.Equal(t, http.StatusOK, status)
					require.Equal(t, false, body["active"], "B's introspection: A's token is not active")
					require.Nil(t, body["sub"])
				}

				// A's ID token against B's published keys: no key verifies it.
				raw := tok.Extra("id_token").(string)
				sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
				require.NoError(t, err)
				for _, k := range jwks(t, bv).Keys {
					_, err := sig.Verify(k)
					require.Error(t, err, "B's key %s verifies A's ID token", k.KeyID)
				}
				verified := false
				for _, k := range jwks(t, a).Keys {
					if _, err := sig.Verify(k); err == nil {
						verified = true
					}
				}
				require.True(t, verified, "A's own keys verify it")
				_, err = bv.provider.Verifier(&gooidc.Config{ClientID: a.conf.ClientID, SupportedSigningAlgs: []string{alg}, SkipIssuerCheck: true}).
					Verify(context.WithoutCancel(bv.ctx), raw)
				require.Error(t, err)

				// A's ID token as B's logout hint ends no session at B.
				bb := newBrowser(t, srv, "bravo")
				bb.signUp(newDevice(srv, "bravo"), strings.ToLower(alg)+"@bravo.example")
				r := bb.get("/oidc/end_session?" + url.Values{"id_token_hint": {raw}}.Encode())
				if loc := r.header.Get("Location"); loc != "" {
					require.False(t, strings.HasPrefix(loc, "http://127.0.0.1:9"), "no redirect to A's client")
				}
				require.Equal(t, http.StatusOK, bb.get("/account").status, "B's session stays")
			}
		})
	}
}

func TestSecurity_AnotherClientCanNeitherIntrospectNorRevokeAClientsTokens(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			spec := apps.Spec{Name: "Web", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}}
			x := newRelyingParty(t, srv, "acme", spec)
			y := newRelyingParty(t, srv, "acme", spec)
			spa := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI}})
			x.conf.Scopes = append(x.conf.Scopes, "offline_access")
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := x.authorize(br)
			tok, err := x.conf.Exchange(x.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)

			status, body := formCall(t, y, y.issuer+"/oidc/introspect", url.Values{"token": {tok.AccessToken}}, y.conf.ClientID, y.conf.ClientSecret)
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, false, body["active"], "another web client learns nothing of X's token")
			require.Nil(t, body["sub"])
			status, _ = formCall(t, y, y.issuer+"/oidc/introspect", url.Values{"token": {tok.AccessToken}}, y.conf.ClientID, "sesame_secret_wrong")
			require.Equal(t, http.StatusUnauthorized, status, "introspection needs the client's secret")

			for _, c := range []struct{ id, secret string }{{y.conf.ClientID, y.conf.ClientSecret}, {spa.conf.ClientID, ""}} {
				for _, token := range []string{tok.AccessToken, tok.RefreshToken} {
					formCall(t, y, y.issuer+"/oidc/revoke", url.Values{"token": {token}}, c.id, c.secret)
				}
			}
			_, err = x.provider.UserInfo(x.ctx, oauth2.StaticTokenSource(tok))
			require.NoError(t, err, "X's access token survives another client's revocation")
			_, err = x.conf.TokenSource(x.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			require.NoError(t, err, "X's refresh token survives another client's revocation")
		})
	}
}

// Discovery lists the query response mode only; fragment and form_post
// answers would carry no iss (RFC 9207), so they are refused, in the query.
func TestSecurity_OnlyTheQueryResponseModeAnswersAndAlwaysWithTheIssuer(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			for _, mode := range []string{"fragment", "form_post", "query.jwt", "bogus"} {
				at, _ := rp.authorize(br, oauth2.SetAuthURLParam("response_mode", mode), oauth2.SetAuthURLParam("state", "st"))
				require.Equal(t, redirectURI, at.Scheme+"://"+at.Host+at.Path, mode)
				require.Empty(t, at.Fragment, mode)
				require.Equal(t, "invalid_request", at.Query().Get("error"), mode)
				require.Empty(t, at.Query().Get("code"), mode)
				require.Equal(t, "st", at.Query().Get("state"), mode)
				require.Equal(t, rp.issuer, at.Query().Get("iss"), mode)
			}
			at, _ := rp.authorize(br, oauth2.SetAuthURLParam("response_mode", "query"))
			codeAt(t, at, "")
		})
	}
}
