package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// redirectURI is the test client's redirect URI; nothing listens there:
// the tests read the redirect's Location.
const redirectURI = "http://127.0.0.1:9/callback"

// relyingParty is a client registered on a tenant, as go-oidc and oauth2
// see it.
type relyingParty struct {
	ctx      context.Context
	issuer   string
	provider *gooidc.Provider
	conf     oauth2.Config
	verifier *gooidc.IDTokenVerifier
	created  *apps.Created
}

// newRelyingParty registers spec as a first-party application: the
// tenant's own, which never shows the consent page (consent_test.go
// registers third-party ones with newRelyingPartyOf).
func newRelyingParty(t *testing.T, srv *testserver.Server, slug string, spec apps.Spec) *relyingParty {
	t.Helper()
	spec.FirstParty = true
	return newRelyingPartyOf(t, srv, slug, spec)
}

// newRelyingPartyOf registers spec as it is and discovers the tenant.
func newRelyingPartyOf(t *testing.T, srv *testserver.Server, slug string, spec apps.Spec) *relyingParty {
	t.Helper()
	tn, err := srv.Tenants.BySlug(t.Context(), slug)
	require.NoError(t, err)
	c, err := apps.Create(t.Context(), srv.DB.ForTenant(tn.ID), spec, time.Now())
	require.NoError(t, err)
	rp := &relyingParty{ctx: rpContext(t, srv), issuer: srv.URL(slug), created: c}
	rp.provider, err = gooidc.NewProvider(rp.ctx, rp.issuer)
	require.NoError(t, err, "discovery, with the issuer the tenant's origin")
	rp.conf = oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, Endpoint: rp.provider.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{gooidc.ScopeOpenID, "email", "profile"}}
	var doc struct {
		ResponseTypes []string `json:"response_types_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		Grants        []string `json:"grant_types_supported"`
		ISS           bool     `json:"authorization_response_iss_parameter_supported"`
		Device        string   `json:"device_authorization_endpoint"`
	}
	require.NoError(t, rp.provider.Claims(&doc))
	require.Equal(t, []string{"code"}, doc.ResponseTypes, "the code flow only")
	require.Equal(t, []string{"S256"}, doc.PKCE)
	require.NotContains(t, doc.Grants, "implicit")
	require.True(t, doc.ISS)
	require.Empty(t, doc.Device)
	require.Equal(t, rp.issuer+"/oidc/authorize", rp.provider.Endpoint().AuthURL)
	rp.verifier = rp.provider.Verifier(&gooidc.Config{ClientID: c.App.ClientID, SupportedSigningAlgs: []string{c.App.IDTokenAlg}})
	return rp
}

// authorize sends the browser to the authorization endpoint and follows the
// tenant's redirects; it stops at the client's redirect URI or at the
// hosted sign-in page, and returns that URL.
func (rp *relyingParty) authorize(b *browser, extra ...oauth2.AuthCodeOption) (*url.URL, string) {
	b.t.Helper()
	state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)
	return b.follow(rp.conf.AuthCodeURL(state, opts...)), verifier
}

// follow GETs target and the redirects that stay on Sesame (except to the
// sign-in page), returning where it stopped.
func (b *browser) follow(target string) *url.URL {
	b.t.Helper()
	for range 10 {
		r := b.get(target)
		require.Contains(b.t, []int{http.StatusFound, http.StatusSeeOther}, r.status, "%s: %s", target, r.body)
		loc := r.location(b.t, target)
		if loc.String() == b.origin+loc.RequestURI() && loc.Path != "/" {
			target = loc.String()
			continue
		}
		return loc
	}
	b.t.Fatal("too many redirects")
	return nil
}

// codeAt returns the code of a redirect to the client, checking its state.
func codeAt(t *testing.T, u *url.URL, state string) string {
	t.Helper()
	require.Equal(t, redirectURI, u.Scheme+"://"+u.Host+u.Path, "redirected to the client")
	require.Empty(t, u.Query().Get("error"), u.String())
	if state != "" {
		require.Equal(t, state, u.Query().Get("state"))
	}
	require.NotEmpty(t, u.Query().Get("code"))
	require.Regexp(t, `^http://acme\.localhost:\d+$`, u.Query().Get("iss"), "RFC 9207: the issuer that answered")
	return u.Query().Get("code")
}

type idClaims struct {
	Nonce         string   `json:"nonce"`
	AMR           []string `json:"amr"`
	ACR           string   `json:"acr"`
	SID           string   `json:"sid"`
	AuthTime      int64    `json:"auth_time"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
}

func TestProvider_CodeFlowWithPKCEAfterAPasskeySignIn(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			dev := newDevice(srv, "acme")
			newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")
			ana, err := srv.DB.ForTenant(tn.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)

			// A browser without a session goes to the hosted sign-in page
			// with the request, signs in with the passkey and returns to
			// the client with a code.
			br := newBrowser(t, srv, "acme")
			state, verifier := "state-1", oauth2.GenerateVerifier()
			at := br.follow(rp.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce("nonce-1")))
			require.Equal(t, "/", at.Path, "the hosted sign-in page")
			id := at.Query().Get("authRequest")
			require.NotEmpty(t, id)
			require.Equal(t, http.StatusOK, br.get(at.String()).status)
			br.signInWithPasskey(dev)
			code := codeAt(t, br.follow(br.origin+"/oidc/login?id="+url.QueryEscape(id)), state)

			_, err = rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			require.ErrorContains(t, err, "invalid_grant", "a wrong PKCE verifier is refused")

			// Signed in, the next request completes without a prompt.
			at, verifier = rp.authorize(br, gooidc.Nonce("nonce-2"))
			code = codeAt(t, at, "")
			tok, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			raw, _ := tok.Extra("id_token").(string)
			idt, err := rp.verifier.Verify(rp.ctx, raw)
			require.NoError(t, err)
			require.Equal(t, rp.issuer, idt.Issuer)
			require.Equal(t, ana.ID.String(), idt.Subject, "sub is the user's stable id")
			var claims idClaims
			require.NoError(t, idt.Claims(&claims))
			require.Equal(t, "nonce-2", claims.Nonce)
			require.Equal(t, []string{"swk", "user"}, claims.AMR, "a passkey sign-in")
			require.Equal(t, "phr", claims.ACR)
			require.NotEmpty(t, claims.SID)
			require.NotZero(t, claims.AuthTime)
			require.Equal(t, "ana@example.com", claims.Email)
			require.True(t, claims.EmailVerified)

			info, err := rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(tok))
			require.NoError(t, err)
			require.Equal(t, ana.ID.String(), info.Subject)
			require.Equal(t, "ana@example.com", info.Email)

			// The same code again is refused and revokes what it gave.
			_, err = rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.ErrorContains(t, err, "invalid_grant")
			_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(tok))
			require.Error(t, err, "the access token of a reused code is revoked")
		})
	}
}

func TestProvider_PromptNoneAndLogin(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI}})
			signedIn := newBrowser(t, srv, "acme")
			dev := newDevice(srv, "acme")
			signedIn.signUp(dev, "ana@example.com")

			at := newBrowser(t, srv, "acme").follow(rp.conf.AuthCodeURL("s-none", oauth2.S256ChallengeOption("v"), oauth2.SetAuthURLParam("prompt", "none")))
			require.Equal(t, redirectURI, at.Scheme+"://"+at.Host+at.Path, "prompt=none never shows a page")
			require.Equal(t, "login_required", at.Query().Get("error"))
			require.Equal(t, "s-none", at.Query().Get("state"))
			require.Equal(t, rp.issuer, at.Query().Get("iss"), "RFC 9207: the issuer that answered")
			require.Empty(t, at.Query().Get("code"))

			at, _ = rp.authorize(signedIn, oauth2.SetAuthURLParam("prompt", "none"))
			codeAt(t, at, "")

			at, _ = rp.authorize(signedIn, oauth2.SetAuthURLParam("prompt", "login"))
			require.Equal(t, "/", at.Path, "prompt=login asks for a new sign-in despite the session")
			require.NotEmpty(t, at.Query().Get("authRequest"))
			require.Equal(t, http.StatusOK, signedIn.get(at.String()).status, "the sign-in page, not the account")
			login := signedIn.origin + "/oidc/login?id=" + url.QueryEscape(at.Query().Get("authRequest"))
			require.Equal(t, "/", signedIn.follow(login).Path, "the old session does not answer prompt=login")
			signedIn.signInWithPasskey(dev)
			codeAt(t, signedIn.follow(login), "")

			// max_age: a session older than asked needs a new sign-in.
			time.Sleep(2 * time.Second)
			at, _ = rp.authorize(signedIn, oauth2.SetAuthURLParam("max_age", "1"))
			require.Equal(t, "/", at.Path, "a sign-in older than max_age")
			at, _ = rp.authorize(signedIn, oauth2.SetAuthURLParam("max_age", "3600"))
			codeAt(t, at, "")
		})
	}
}

func TestProvider_RefusesWithoutRedirectingOrWithAnErrorAtTheClient(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI}})
	br := newBrowser(t, srv, "acme")

	page := func(q url.Values) response {
		t.Helper()
		return br.get("/oidc/authorize?" + q.Encode())
	}
	q := url.Values{"client_id": {rp.conf.ClientID}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"},
		"redirect_uri": {"https://evil.example/callback"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	r := page(q)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Empty(t, r.header.Get("Location"), "an unregistered redirect URI is never redirected to")
	require.Contains(t, string(r.body), `data-reason="unknown_redirect"`)

	q.Set("redirect_uri", redirectURI+"/")
	r = page(q)
	require.Equal(t, http.StatusBadRequest, r.status, "redirect URIs are compared exactly")
	require.Empty(t, r.header.Get("Location"))

	q.Set("redirect_uri", redirectURI)
	q.Set("client_id", "unknown")
	r = page(q)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Empty(t, r.header.Get("Location"))
	require.Contains(t, string(r.body), `data-reason="unknown_client"`)

	q.Set("client_id", rp.conf.ClientID)
	q.Set("code_challenge_method", "plain")
	at := page(q).location(t, br.origin)
	require.Equal(t, "invalid_request", at.Query().Get("error"), "PKCE plain is refused")

	q.Del("code_challenge")
	q.Del("code_challenge_method")
	at = page(q).location(t, br.origin)
	require.Equal(t, "invalid_request", at.Query().Get("error"), "a public client must use PKCE")

	// The login step of a request opened in another browser is refused.
	q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	q.Set("code_challenge_method", "S256")
	at = br.follow(br.origin + "/oidc/authorize?" + q.Encode())
	other := newBrowser(t, srv, "acme")
	r = other.get("/oidc/login?id=" + url.QueryEscape(at.Query().Get("authRequest")))
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Contains(t, string(r.body), `data-reason="other_browser"`)
}

func introspect(t *testing.T, rp *relyingParty, clientID, secret, token string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rp.issuer+"/oidc/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := rp.ctx.Value(oauth2.HTTPClient).(*http.Client).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func TestProvider_ClientCredentialsAndTenantIsolation(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			m2m := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Jobs", Type: apps.TypeM2M, Scopes: []string{"reports"}})
			web := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}, IDTokenAlg: apps.AlgES256})
			bravo := newRelyingParty(t, srv, "bravo", apps.Spec{Name: "Jobs", Type: apps.TypeM2M})

			cc := clientcredentials.Config{ClientID: m2m.conf.ClientID, ClientSecret: m2m.conf.ClientSecret, TokenURL: m2m.issuer + "/oidc/token", Scopes: []string{"reports"}}
			tok, err := cc.Token(m2m.ctx)
			require.NoError(t, err)
			got := introspect(t, m2m, m2m.conf.ClientID, m2m.conf.ClientSecret, tok.AccessToken)
			require.Equal(t, true, got["active"])
			require.Equal(t, m2m.conf.ClientID, got["client_id"])
			require.Equal(t, "reports", got["scope"])
			require.Equal(t, m2m.issuer, got["iss"])

			cc.ClientSecret = "sesame_secret_wrong"
			_, err = cc.Token(m2m.ctx)
			require.Error(t, err, "a wrong secret is refused")
			webCC := clientcredentials.Config{ClientID: web.conf.ClientID, ClientSecret: web.conf.ClientSecret, TokenURL: web.issuer + "/oidc/token"}
			_, err = webCC.Token(web.ctx)
			require.Error(t, err, "client credentials are for m2m applications only")

			// A user's tokens, ES256-signed for this client.
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := web.authorize(br, gooidc.Nonce("n"))
			user, err := web.conf.Exchange(web.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			rawID := user.Extra("id_token").(string)
			_, err = web.verifier.Verify(web.ctx, rawID)
			require.NoError(t, err, "ES256 per client")

			// Tenant B refuses what tenant A issued: issuer and keys,
			// userinfo, introspection, token endpoint.
			_, err = bravo.provider.Verifier(&gooidc.Config{ClientID: web.conf.ClientID, SupportedSigningAlgs: []string{"ES256"}}).Verify(bravo.ctx, rawID)
			require.Error(t, err)
			_, err = bravo.provider.Verifier(&gooidc.Config{ClientID: web.conf.ClientID, SupportedSigningAlgs: []string{"ES256"},
				SkipIssuerCheck: true}).Verify(bravo.ctx, rawID)
			require.Error(t, err, "B's keys do not verify A's signature")
			_, err = bravo.provider.UserInfo(bravo.ctx, oauth2.StaticTokenSource(user))
			require.Error(t, err)
			require.Equal(t, false, introspect(t, bravo, bravo.conf.ClientID, bravo.conf.ClientSecret, user.AccessToken)["active"])
			require.Equal(t, false, introspect(t, bravo, bravo.conf.ClientID, bravo.conf.ClientSecret, tok.AccessToken)["active"])
			require.Equal(t, true, introspect(t, m2m, m2m.conf.ClientID, m2m.conf.ClientSecret, user.AccessToken)["active"],
				"A's resource server sees A's user token")
			// A rotation keeps the old key in the JWKS: the token still
			// verifies for a client that fetches the keys afresh.
			acme, err := srv.Tenants.BySlug(t.Context(), "acme")
			require.NoError(t, err)
			require.NoError(t, srv.App.Provider.Keys.Rotate(t.Context(), acme.ID, jose.ES256))
			fresh := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Other", Type: apps.TypeM2M})
			_, err = fresh.provider.Verifier(&gooidc.Config{ClientID: web.conf.ClientID, SupportedSigningAlgs: []string{"ES256"}}).Verify(fresh.ctx, rawID)
			require.NoError(t, err, "signed by the retired key, still published")
			at, verifier = web.authorize(br, gooidc.Nonce("n2"))
			after, err := web.conf.Exchange(web.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			_, err = fresh.provider.Verifier(&gooidc.Config{ClientID: web.conf.ClientID, SupportedSigningAlgs: []string{"ES256"}}).Verify(fresh.ctx, after.Extra("id_token").(string))
			require.NoError(t, err, "signed by the new key")

			crossCC := clientcredentials.Config{ClientID: m2m.conf.ClientID, ClientSecret: m2m.created.Secret, TokenURL: bravo.issuer + "/oidc/token"}
			_, err = crossCC.Token(bravo.ctx)
			require.Error(t, err, "A's client is unknown at B")
		})
	}
}

func TestProvider_EndSessionEndsTheHintedUsersSessionAndReturns(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	const after = "http://127.0.0.1:9/signed-out"
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{after}})
	br := newBrowser(t, srv, "acme")
	br.signUp(newDevice(srv, "acme"), "ana@example.com")
	at, verifier := rp.authorize(br)
	tok, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	hint := tok.Extra("id_token").(string)

	q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}, "state": {"bye"}}
	r := br.get("/oidc/end_session?" + q.Encode())
	require.NotEqual(t, "https://evil.example/", r.header.Get("Location"), "an unregistered post-logout URI is not redirected to")
	require.Equal(t, http.StatusOK, br.get("/account").status, "and the session stays")

	q.Set("post_logout_redirect_uri", after)
	loc := br.get("/oidc/end_session?"+q.Encode()).location(t, br.origin)
	require.Equal(t, after+"?state=bye", loc.String())
	require.Equal(t, http.StatusSeeOther, br.get("/account").status, "the session has ended")
}

func TestProvider_RefreshTokensRotateAndAReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI}})
			rp.conf.Scopes = append(rp.conf.Scopes, "offline_access")
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := rp.authorize(br)
			first, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			require.NotEmpty(t, first.RefreshToken, "offline_access gives a refresh token")

			refresh := func(rt string) (*oauth2.Token, error) {
				return rp.conf.TokenSource(rp.ctx, &oauth2.Token{RefreshToken: rt}).Token()
			}
			second, err := refresh(first.RefreshToken)
			require.NoError(t, err)
			require.NotEqual(t, first.RefreshToken, second.RefreshToken, "rotated")
			_, err = rp.verifier.Verify(rp.ctx, second.Extra("id_token").(string))
			require.NoError(t, err, "a refresh brings a new ID token")
			concurrent, err := refresh(first.RefreshToken)
			require.NoError(t, err, "within the grace period a concurrent refresh succeeds")

			time.Sleep(provider.RefreshGrace + 100*time.Millisecond)
			_, err = refresh(first.RefreshToken)
			require.ErrorContains(t, err, "invalid_grant", "reused after the grace period")
			for _, tok := range []*oauth2.Token{second, concurrent} {
				_, err = refresh(tok.RefreshToken)
				require.Error(t, err, "the whole family is revoked")
				_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(tok))
				require.Error(t, err, "with its access tokens")
			}
			_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(first))
			require.Error(t, err)

			// Revoking a refresh token (RFC 7009) ends its grant.
			at, verifier = rp.authorize(br)
			grant, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			form := url.Values{"token": {grant.RefreshToken}, "client_id": {rp.conf.ClientID}}
			resp, err := rp.ctx.Value(oauth2.HTTPClient).(*http.Client).PostForm(rp.issuer+"/oidc/revoke", form)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			_, err = refresh(grant.RefreshToken)
			require.Error(t, err)
			_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(grant))
			require.Error(t, err)
		})
	}
}

func TestProvider_ACRValuesDemandAPasskeySession(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	withPasskey := newBrowser(t, srv, "acme")
	withPasskey.signUp(newDevice(srv, "acme"), "ana@example.com")
	phr := oauth2.SetAuthURLParam("acr_values", "phr")
	none := oauth2.SetAuthURLParam("prompt", "none")
	at, _ := rp.authorize(withPasskey, phr, none)
	codeAt(t, at, "")

	// The same user in another browser, signed in by password only.
	scope := srv.DB.ForTenant(tn.ID)
	ana, err := scope.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
	require.NoError(t, err)
	issued, err := flows.IssueSession(t.Context(), scope, ana.ID, []string{flows.AMRPassword}, flows.RequestInfo{}, time.Now())
	require.NoError(t, err)
	withPassword := newBrowser(t, srv, "acme")
	u, _ := url.Parse(withPassword.origin)
	withPassword.http.Jar.SetCookies(u, []*http.Cookie{{Name: "sesame_session", Value: issued.Token, Path: "/"}})

	at, _ = rp.authorize(withPassword, phr, none)
	require.Equal(t, "login_required", at.Query().Get("error"), "a password session does not answer acr_values=phr")
	at, _ = rp.authorize(withPassword, phr)
	require.Equal(t, "/", at.Path, "the hosted sign-in page, for a passkey")

	at, verifier := rp.authorize(withPassword, none)
	tok, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	var claims idClaims
	require.NoError(t, idt.Claims(&claims))
	require.Equal(t, []string{"pwd"}, claims.AMR, "amr tells a password from a passkey")
	require.Empty(t, claims.ACR)
}
