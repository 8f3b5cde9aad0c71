package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestConsole_ConnectorEditedInPlace: an administrator opens "Edit" on an
// enterprise connector, whose form shows its settings (never its secret);
// scopes without openid are refused with the API's sentence, the
// connector unchanged; then the name, scopes, response mode, a claim, the
// secret and the domains (one removed, one added) are saved: the added
// domain is pending, the removed one routes nobody any more.
func TestConsole_ConnectorEditedInPlace(t *testing.T) {
	t.Parallel()
	c := newConsoleSiteWith(t, testserver.Options{}, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)
	shop := c.tenant(t, "shop")
	scope := c.srv.DB.ForTenant(shop.ID)
	ctx := context.Background()
	made, err := federation.Create(ctx, scope, federation.Spec{Name: "Corp SSO", Kind: federation.KindEnterprise, Type: federation.TypeOIDC,
		Issuer: "https://idp.corp.example", ClientID: "sesame", Secret: "old-s3cret", Domains: []string{"corp.example"}, DomainsVerified: true}, time.Now())
	require.NoError(t, err)

	tab.Navigate(t, c.url("/console/tenants/shop/connectors"))
	tab.WaitVisible(t, "#connectors .connector-edit")
	tab.Click(t, "#connectors .connector-edit")
	tab.WaitVisible(t, "#edit-connector-form")
	var shown struct {
		Name, Scopes, Mode, Domains, Secret string
	}
	tab.Eval(t, `(() => { const v = (s) => document.querySelector(s).value; return { Name: v("#edit-connector-name"),
		Scopes: v("#edit-connector-scopes"), Mode: v("#edit-connector-response-mode"), Domains: v("#edit-connector-domains"),
		Secret: v("#edit-connector-client-secret") }; })()`, &shown)
	require.Equal(t, "Corp SSO", shown.Name)
	require.Equal(t, "openid email profile", shown.Scopes)
	require.Equal(t, "query", shown.Mode)
	require.Equal(t, "corp.example", shown.Domains)
	require.Empty(t, shown.Secret, "the secret is never shown")

	tab.SetValue(t, "#edit-connector-scopes", "email")
	tab.Click(t, "#save-connector")
	tab.WaitText(t, "#edit-connector-error", `The scopes must include "openid".`)
	kept, err := federation.Get(ctx, scope, made.ID)
	require.NoError(t, err)
	require.Equal(t, made.Settings.Scopes, kept.Settings.Scopes)

	tab.SetValue(t, "#edit-connector-name", "Corp")
	tab.SetValue(t, "#edit-connector-scopes", "openid email groups")
	tab.SetValue(t, "#edit-connector-response-mode", "form_post")
	tab.Type(t, "#edit-connector-claim-email", "mail")
	tab.Type(t, "#edit-connector-client-secret", "new-s3cret")
	tab.SetValue(t, "#edit-connector-domains", "new.example")
	tab.Click(t, "#save-connector")
	tab.WaitText(t, "#connector-status", "Corp is saved.")
	tab.WaitVisible(t, "#connectors .connector-domain.pending")

	got, err := federation.Get(ctx, scope, made.ID)
	require.NoError(t, err)
	require.Equal(t, "Corp", got.Name)
	require.Equal(t, []string{"openid", "email", "groups"}, got.Settings.Scopes)
	require.True(t, got.Settings.FormPost())
	require.Equal(t, "mail", got.Settings.Claims.Email)
	require.Equal(t, "new-s3cret", got.Secret)
	require.Equal(t, []string{"new.example"}, got.Domains)
	routed, err := federation.ForEmail(ctx, scope, "ana@corp.example")
	require.NoError(t, err)
	require.Nil(t, routed, "a removed domain routes nobody")
	routed, err = federation.ForEmail(ctx, scope, "ana@new.example")
	require.NoError(t, err)
	require.Nil(t, routed, "an added domain is pending")
}
