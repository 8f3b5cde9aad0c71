package provider_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	chromium "github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// appServer is the application's own origin: its redirect URI shows a page
// and hands the code to the test.
func appServer(t *testing.T) (redirect string, codes <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ch := make(chan string, 4)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch <- r.URL.Query().Get("code")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>App</title><link rel="icon" href="data:,"></head><body><p id="back">Back in the app</p></body></html>`)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String() + "/callback", ch
}

// TestProviderBrowser_SignUpAndSignInWithAPasskeyReturnToTheApp drives
// Chromium with a virtual authenticator: an application's request opens
// the tenant's sign-in page, the person signs up there with a passkey and
// lands back on the application's redirect URI; then, asked to sign in
// again (prompt=login), they use "Continue with passkey" and land back
// again. Each code yields an ID token for that user.
func TestProviderBrowser_SignUpAndSignInWithAPasskeyReturnToTheApp(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	// Without autofill the virtual authenticator answers only the button,
	// not a conditional request the page makes as it loads.
	srv.SetPasskeys(t, "acme", func(p *tenants.Passkeys) { p.Autofill = false })
	redirect, codes := appServer(t)
	tn, err := srv.Tenants.BySlug(t.Context(), "acme")
	require.NoError(t, err)
	c, err := apps.Create(t.Context(), srv.DB.ForTenant(tn.ID), apps.Spec{Name: "Shop", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{redirect}}, time.Now())
	require.NoError(t, err)
	ctx := rpContext(t, srv)
	op, err := gooidc.NewProvider(ctx, srv.URL("acme"))
	require.NoError(t, err)
	conf := oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, Endpoint: op.Endpoint(), RedirectURL: redirect, Scopes: []string{"openid", "email"}}

	tab := chromium.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, chromium.AuthenticatorOptions{})
	exchange := func(verifier string) string {
		t.Helper()
		tab.WaitVisible(t, "#back")
		var code string
		select {
		case code = <-codes:
		case <-time.After(10 * time.Second):
			t.Fatal("no code reached the application")
		}
		tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		require.NoError(t, err)
		idt, err := op.Verifier(&gooidc.Config{ClientID: c.App.ClientID}).Verify(ctx, tok.Extra("id_token").(string))
		require.NoError(t, err)
		var claims struct {
			Email string   `json:"email"`
			AMR   []string `json:"amr"`
		}
		require.NoError(t, idt.Claims(&claims))
		require.Equal(t, "ana@example.com", claims.Email)
		require.Contains(t, claims.AMR, "swk")
		return idt.Subject
	}

	// Sign-up started from the application's request returns to it.
	verifier := oauth2.GenerateVerifier()
	tab.Navigate(t, conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)))
	tab.WaitVisible(t, "#identifier")
	require.Regexp(t, regexp.MustCompile(`/\?authRequest=`), tab.Location(t))
	tab.Click(t, "#sign-up-link")
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", "ana@example.com")
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	var code string
	require.Eventually(t, func() bool {
		for _, m := range srv.Outbox.Messages() {
			if found := sixDigits.FindStringSubmatch(m.Body); m.To == "ana@example.com" && found != nil {
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
	sub := exchange(verifier)

	// Asked for a new sign-in, the passkey on the tenant's page answers.
	verifier = oauth2.GenerateVerifier()
	tab.Navigate(t, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "login"),
		oauth2.SetAuthURLParam("login_hint", "ana@example.com"), oauth2.SetAuthURLParam("ui_locales", "fr es")))
	tab.WaitVisible(t, "#passkey-button")
	var hint, lang string
	tab.Eval(t, `document.getElementById("identifier").value`, &hint)
	tab.Eval(t, `document.documentElement.lang`, &lang)
	require.Equal(t, "ana@example.com", hint, "login_hint fills the identifier")
	require.Equal(t, "es", lang, "ui_locales picks the first language Sesame speaks")
	var english string
	tab.Eval(t, `document.getElementById("lang-en").href`, &english)
	require.Contains(t, english, "authRequest=", "switching the language keeps the application's request")
	require.Contains(t, english, "lang=en")
	tab.Click(t, "#passkey-button")
	require.Equal(t, sub, exchange(verifier))
	require.Empty(t, tab.ConsoleErrors())
}
