package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
)

func TestConsole_ApplicationGetsABackchannelLogoutURICheckedAtItsField(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.Navigate(t, c.url("/console/tenants/shop/applications"))
	tab.WaitVisible(t, "#applications-empty")
	tab.Type(t, "#app-name", "Shop")
	tab.SetValue(t, "#app-type", "WEB")
	tab.SetValue(t, "#app-redirect-uris", "https://shop.example.com/callback")
	tab.SetValue(t, "#app-backchannel-uri", "http://shop.example.com/backchannel")
	tab.Click(t, "#create-application")
	tab.WaitText(t, "#app-backchannel-uri-error",
		`"http://shop.example.com/backchannel" uses http; use https (http is allowed only on a loopback host)`)
	require.Empty(t, shopApps(t, c))

	tab.SetValue(t, "#app-backchannel-uri", "https://shop.example.com/backchannel")
	tab.Click(t, "#app-backchannel-sid")
	tab.Click(t, "#create-application")
	tab.WaitVisible(t, "#new-app-secret")
	list := shopApps(t, c)
	require.Len(t, list, 1)
	require.Equal(t, "https://shop.example.com/backchannel", list[0].BackchannelLogoutURI)
	require.True(t, list[0].BackchannelLogoutSessionRequired)
	require.Equal(t, []string{"Back-channel logout: https://shop.example.com/backchannel"}, tab.Texts(t, "#applications .application-backchannel"))
}
