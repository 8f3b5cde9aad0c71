package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
)

// TestConsole_ConnectorCreatedItsCallbackShownAndDeleted: an administrator
// adds an OpenID Connect connector on the "Sign-in connectors" page, sees
// the callback URL to register (the one the server answers on), finds it
// in the database with its secret, and deletes it after confirming; a
// user's page lists their linked sign-ins.
func TestConsole_ConnectorCreatedItsCallbackShownAndDeleted(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.Navigate(t, c.url("/console/tenants/shop/connectors"))
	tab.WaitVisible(t, "#connectors-empty")
	tab.Type(t, "#connector-name", "Corp SSO")
	tab.SetValue(t, "#connector-kind", "ENTERPRISE")
	tab.Type(t, "#connector-issuer", "https://idp.corp.example")
	tab.Type(t, "#connector-client-id", "sesame")
	tab.Type(t, "#connector-client-secret", "s3cret-value")
	tab.Type(t, "#connector-domains", "corp.example")
	tab.Click(t, "#create-connector")
	tab.WaitVisible(t, "#connectors .connector")
	require.Equal(t, []string{"Corp SSO"}, tab.Texts(t, "#connectors .connector-name"))

	shop := c.tenant(t, "shop")
	scope := c.srv.DB.ForTenant(shop.ID)
	conns, err := scope.Connectors().List(context.Background())
	require.NoError(t, err)
	require.Len(t, conns, 1)
	require.Equal(t, "enterprise", conns[0].Kind)
	require.Equal(t, c.srv.URL("shop")+"/federation/"+conns[0].ID.String()+"/callback", tab.Text(t, "#connectors .connector-callback-url"))
	require.NotContains(t, tab.Text(t, "#console"), "s3cret-value", "the secret is never shown")

	// A user's linked sign-in is on their page.
	u := &db.User{WebAuthnHandle: []byte("linked-user-handle"), DisplayName: "Linda"}
	require.NoError(t, scope.Users().Create(context.Background(), u))
	fi := &db.FederatedIdentity{UserID: u.ID, ConnectorID: conns[0].ID, Subject: "linda", Email: "linda@corp.example"}
	require.NoError(t, scope.FederatedIdentities().Link(context.Background(), fi, time.Now()))
	tab.Navigate(t, c.url("/console/tenants/shop/users/"+u.ID.String()))
	tab.WaitVisible(t, "#user-linked")
	require.Contains(t, tab.Text(t, "#user-linked"), "Corp SSO")
	require.Contains(t, tab.Text(t, "#user-linked"), "linda@corp.example")

	tab.Navigate(t, c.url("/console/tenants/shop/connectors"))
	tab.WaitVisible(t, "#connectors .connector-delete")
	tab.Click(t, "#connectors .connector-delete")
	tab.Click(t, ".confirm button.danger")
	tab.WaitVisible(t, "#connectors-empty")
	conns, err = scope.Connectors().List(context.Background())
	require.NoError(t, err)
	require.Empty(t, conns)
	require.Empty(t, tab.ConsoleErrors())
}
