package provider_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
	chromium "github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestProvider_ACRValuesSignInPageOffersOnlyThePasskey: the hosted sign-in
// page of a request with acr_values=phr says that the app asks for a
// passkey and offers nothing else; the same page for another request
// offers every method.
func TestProvider_ACRValuesSignInPageOffersOnlyThePasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	srv.SetPasskeys(t, "acme", func(p *tenants.Passkeys) { p.ShowButton = false })
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	br := newBrowser(t, srv, "acme")

	at, _ := rp.authorize(br, oauth2.SetAuthURLParam("acr_values", "phr"))
	page := br.get(at.String())
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, string(page.body), `data-passkey-only="true"`)
	require.Contains(t, string(page.body), `id="passkey-required"`)
	require.Contains(t, string(page.body), `id="passkey-button"`, "the passkey button, though the tenant hides it")

	at, _ = rp.authorize(br)
	page = br.get(at.String())
	require.Contains(t, string(page.body), `data-passkey-only="false"`)
	require.NotContains(t, string(page.body), `id="passkey-required"`)
}

// TestProviderBrowser_ACRValuesAfterAPasswordSignInAskForThePasskey drives
// Chromium: a browser signed in by password alone follows an application's
// request with acr_values=phr to the hosted sign-in page, which offers only
// the passkey (no other method, even for the identifier); the passkey
// returns to the application, whose ID token says acr=phr and amr swk.
func TestProviderBrowser_ACRValuesAfterAPasswordSignInAskForThePasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	srv.SetPasskeys(t, "acme", func(p *tenants.Passkeys) { p.Autofill = false })
	redirect, codes := appServer(t)
	c, err := apps.Create(t.Context(), srv.DB.ForTenant(tn.ID), apps.Spec{Name: "Shop", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{redirect}}, time.Now())
	require.NoError(t, err)
	ctx := rpContext(t, srv)
	op, err := gooidc.NewProvider(ctx, srv.URL("acme"))
	require.NoError(t, err)
	conf := oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, Endpoint: op.Endpoint(), RedirectURL: redirect, Scopes: []string{"openid"}}

	tab := chromium.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, chromium.AuthenticatorOptions{})
	signUpInTab(t, srv, tab, "ana@example.com")
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#identifier")

	// The same user, signed in by password alone in this browser.
	scope := srv.DB.ForTenant(tn.ID)
	ana, err := scope.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
	require.NoError(t, err)
	issued, err := flows.IssueSession(t.Context(), scope, ana.ID, []string{flows.AMRPassword}, flows.RequestInfo{}, time.Now())
	require.NoError(t, err)
	var ok bool
	tab.Eval(t, `document.cookie = "sesame_session=`+issued.Token+`; path=/"; true`, &ok)

	verifier := oauth2.GenerateVerifier()
	tab.Navigate(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("acr_values", "phr")))
	tab.WaitVisible(t, "#passkey-required")
	require.Contains(t, tab.Location(t), "/?authRequest=")
	require.True(t, tab.Shows(t, "#passkey-button"))
	var otherHidden bool
	tab.Eval(t, `document.getElementById("other-method").hidden`, &otherHidden)
	require.True(t, otherHidden, "no other method than the passkey to choose")
	// The identifier leads to the passkey, which the authenticator gives.
	tab.Type(t, "#identifier", "ana@example.com")
	tab.Click(t, "#continue")

	var code string
	select {
	case code = <-codes:
	case <-time.After(15 * time.Second):
		t.Fatal("no code reached the application")
	}
	tab.WaitVisible(t, "#back")
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	idt, err := op.Verifier(&gooidc.Config{ClientID: c.App.ClientID}).Verify(ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	var claims idClaims
	require.NoError(t, idt.Claims(&claims))
	require.Equal(t, "phr", claims.ACR)
	require.Contains(t, claims.AMR, "swk")
	require.NotContains(t, claims.AMR, "pwd", "the new sign-in's methods, not the password session's")
	require.Empty(t, tab.ConsoleErrors())
}

// signUpInTab makes an account with a passkey on the tenant's sign-up
// page; the tab ends on the account page.
func signUpInTab(t *testing.T, srv *testserver.Server, tab *chromium.Tab, email string) {
	t.Helper()
	tab.Navigate(t, srv.URL("acme")+"/sign-up")
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	var code string
	require.Eventually(t, func() bool {
		for _, m := range srv.Outbox.Messages() {
			if found := sixDigits.FindStringSubmatch(m.Body); m.To == email && found != nil {
				code = found[1]
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	tab.Type(t, "#verify-code", code)
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")
	// The account page has loaded what it shows: a sign-out now races none
	// of its requests (one answered 401 would be a console error).
	tab.WaitVisible(t, `#account[aria-busy="false"] #sessions`)
	require.True(t, strings.HasSuffix(tab.Location(t), "/account"))
}
