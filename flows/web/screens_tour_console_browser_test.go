package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testserver"
)

// tourConsoleSections are the pages under a tenant in the console's
// navigation, by their path after /console/tenants/{slug}.
var tourConsoleSections = []string{
	"", "/sign-in", "/mfa", "/passkeys", "/captcha", "/providers", "/limits", "/branding", "/messages",
	"/users", "/invite", "/applications", "/connectors", "/api-keys", "/team", "/audit-log", "/webhooks",
}

// tourConsolePages walks the console: the setup page, the tenants, every
// page of a tenant and a user's page.
func tourConsolePages(t *testing.T, tr *tour) {
	c := newConsoleSiteWith(t, testserver.Options{}, "acme")
	tn := c.tenant(t, "acme")
	u := &db.User{WebAuthnHandle: []byte("grace@example.com"), DisplayName: "Grace"}
	proved := time.Now()
	require.NoError(t, c.srv.DB.ForTenant(tn.ID).Users().Create(t.Context(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: "grace@example.com", VerifiedAt: &proved}))

	tab := browser.New(t).NewTab(t)
	tab.SetAcceptLanguage(t, tr.lang)
	tab.SetViewport(t, 1280, 900, false)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	tab.Navigate(t, c.url("/setup#"+c.token))
	tab.WaitVisible(t, "#setup-passkey")
	tr.shot(t, tab, "console-setup")
	c.setUp(t, tab)
	consoleReady(t, tab)
	tr.shot(t, tab, "console-tenants")

	for _, section := range tourConsoleSections {
		tab.Navigate(t, c.url("/console/tenants/acme"+section))
		consoleReady(t, tab)
		name := "overview"
		if section != "" {
			name = strings.TrimPrefix(section, "/")
		}
		tr.shot(t, tab, "console-"+name)
	}
	tab.Navigate(t, c.url("/console/tenants/acme/users/"+u.ID.String()))
	consoleReady(t, tab)
	tr.shot(t, tab, "console-user")
}

// consoleReady waits until the console page drew its data: a heading, and
// nothing still loading.
func consoleReady(t *testing.T, tab *browser.Tab) {
	t.Helper()
	require.Eventually(t, func() bool {
		var ready bool
		tab.Eval(t, `!!document.querySelector(".console-page h2") && !document.querySelector(".console-loading")`, &ready)
		return ready
	}, browser.DefaultTimeout, 50*time.Millisecond, "the console page never finished loading")
}
