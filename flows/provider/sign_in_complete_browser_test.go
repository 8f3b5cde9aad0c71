package provider_test

import (
	"strings"
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

// TestProviderBrowser_PasskeySignInGoesStraightToTheApp drives Chromium:
// from an application's request, "Continue with passkey" on the sign-in
// page lands on the application's redirect URI with a code, the browser
// never requesting /oidc/login on the way; the code gives the user's ID
// token.
func TestProviderBrowser_PasskeySignInGoesStraightToTheApp(t *testing.T) {
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

	verifier := oauth2.GenerateVerifier()
	mark := len(tab.Requests())
	tab.Navigate(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	tab.WaitVisible(t, "#passkey-button")
	require.Contains(t, tab.Location(t), "/?authRequest=")
	tab.Click(t, "#passkey-button")
	var code string
	select {
	case code = <-codes:
	case <-time.After(15 * time.Second):
		t.Fatal("no code reached the application")
	}
	tab.WaitVisible(t, "#back")
	for _, u := range tab.Requests()[mark:] {
		require.False(t, strings.Contains(u, "/oidc/login"), "the browser went by /oidc/login: %s", u)
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	idt, err := op.Verifier(&gooidc.Config{ClientID: c.App.ClientID}).Verify(ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	var claims idClaims
	require.NoError(t, idt.Claims(&claims))
	require.Equal(t, "phr", claims.ACR)
	require.Empty(t, tab.ConsoleErrors())
}
