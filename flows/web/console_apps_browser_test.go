package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/browser"
)

// shopApps reads the shop tenant's applications from the database.
func shopApps(t *testing.T, c *consoleSite) []*db.OIDCApp {
	t.Helper()
	list, err := c.srv.DB.ForTenant(c.tenant(t, "shop").ID).OIDCApps().List(context.Background())
	require.NoError(t, err)
	return list
}

// bodyText is the whole text of the page.
func bodyText(t *testing.T, tab *browser.Tab) string {
	t.Helper()
	var body string
	tab.Eval(t, `document.body.textContent`, &body)
	return body
}

func TestConsole_WebApplicationIsCreatedWithItsSecretShownOnceThenRotatedAndDeleted(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.Navigate(t, c.url("/console/tenants/shop"))
	tab.WaitVisible(t, "#hosted-sign-in")
	tab.Click(t, `.tenant-nav a[href="/console/tenants/shop/applications"]`)
	tab.WaitVisible(t, "#applications-empty")
	issuer := c.srv.URL("shop")
	require.Equal(t, issuer, tab.Text(t, "#oidc-issuer"))
	require.Equal(t, issuer+"/.well-known/openid-configuration", tab.Text(t, "#oidc-discovery-url"))

	// A redirect URI over http to another host is refused at the field,
	// with the server's reason; nothing is stored.
	tab.Type(t, "#app-name", "Shop")
	tab.SetValue(t, "#app-type", "WEB")
	tab.SetValue(t, "#app-redirect-uris", "http://shop.example.com/callback")
	tab.Click(t, "#create-application")
	tab.WaitText(t, "#app-redirect-uris-error",
		`"http://shop.example.com/callback" uses http; use https (http is allowed only on a loopback host)`)
	require.Empty(t, shopApps(t, c))

	tab.SetValue(t, "#app-redirect-uris", "https://shop.example.com/callback\n\nhttps://shop.example.com/other")
	tab.Click(t, "#create-application")
	tab.WaitVisible(t, "#new-app-secret")
	secret := tab.Text(t, "#new-app-secret")
	list := shopApps(t, c)
	require.Len(t, list, 1)
	app := list[0]
	require.Equal(t, apps.TypeWeb, app.Type)
	require.Equal(t, []string{"https://shop.example.com/callback", "https://shop.example.com/other"}, []string(app.RedirectURIs))
	require.Equal(t, apps.HashSecret(secret), app.SecretHash, "the secret shown is the one stored, hashed")
	require.Equal(t, app.ClientID, tab.Text(t, "#new-app-client-id"))
	require.Equal(t, []string{"Shop"}, tab.Texts(t, "#applications .application-name"))
	require.Equal(t, []string{app.ClientID}, tab.Texts(t, "#applications .application-client-id"))
	require.Equal(t, []string{"Web application"}, tab.Texts(t, "#applications .application-type"))
	tab.Click(t, "#copy-app-secret")
	var status string
	tab.Eval(t, `new Promise((resolve) => {
  const poll = () => { const s = document.querySelector("#apps-status").textContent; s ? resolve(s) : setTimeout(poll, 50); };
  poll();
})`, &status)
	require.Contains(t, []string{"Copied to the clipboard: Client secret.",
		"The browser did not allow copying. Select the text and copy it yourself."}, status)
	tab.Screenshot(t, browser.ShotPath(t, "applications.png"))

	// The set-up code names the client and the issuer, never the secret.
	tab.Click(t, "#applications .snippets summary")
	goCode := tab.Text(t, "#snippet-go-"+app.ClientID)
	require.Contains(t, goCode, `ClientID:     "`+app.ClientID+`"`)
	require.Contains(t, goCode, `oidc.NewProvider(ctx, "`+issuer+`")`)
	require.Contains(t, goCode, `RedirectURL:  "https://shop.example.com/callback"`)
	require.Contains(t, tab.Text(t, "#snippet-config-"+app.ClientID), "client_id: "+app.ClientID)

	// Shown once: a reload shows the application without it.
	tab.Navigate(t, tab.Location(t))
	tab.WaitVisible(t, "#applications")
	require.False(t, tab.Has(t, "#new-application"))
	require.NotContains(t, bodyText(t, tab), secret, "the secret is shown once")

	// Rotation: a new secret, once; the previous one keeps working for the
	// overlap.
	tab.Click(t, "#applications .rotate-secret")
	tab.Click(t, "#applications .confirm button.danger")
	tab.WaitVisible(t, "#new-app-secret")
	rotated := tab.Text(t, "#new-app-secret")
	require.NotEqual(t, secret, rotated)
	app = shopApps(t, c)[0]
	require.Equal(t, apps.HashSecret(rotated), app.SecretHash)
	require.Equal(t, apps.HashSecret(secret), app.PreviousSecretHash)
	require.True(t, strings.HasPrefix(tab.Text(t, "#applications .previous-secret"), "The previous secret keeps working until"))

	// Delete, after a second press.
	tab.Click(t, "#applications .delete-application")
	require.Len(t, shopApps(t, c), 1, "one press only asks")
	tab.Click(t, "#applications .confirm button.danger")
	tab.WaitVisible(t, "#applications-empty")
	require.Empty(t, shopApps(t, c))
}
