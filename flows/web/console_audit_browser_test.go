package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/browser"
)

func TestConsole_AuditLogShowsTheAdminsChangesPagesFiltersAndSetsItsRetention(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)
	shop := c.tenant(t, "shop")
	scope := c.srv.DB.ForTenant(shop.ID)

	// Older events than a page holds, then one change made in the console.
	old := make([]audit.Event, 60)
	for i := range old {
		old[i] = audit.Event{Type: audit.SignInFailed, Method: "password", Result: "invalid_credentials", IP: "192.0.2.7"}
	}
	require.NoError(t, audit.Record(context.Background(), scope, audit.Policy{Retention: 24 * time.Hour}, time.Now().Add(-time.Hour), old...))
	tab.Navigate(t, c.url("/console/tenants/shop/api-keys"))
	tab.WaitVisible(t, "#api-keys-empty")
	tab.Type(t, "#api-key-name", "Billing")
	tab.Click(t, "#create-api-key")
	tab.WaitVisible(t, "#new-api-key-secret")
	secret := tab.Text(t, "#new-api-key-secret")

	tab.Navigate(t, c.url("/console/tenants/shop/audit-log"))
	tab.WaitVisible(t, "#audit-events")
	require.Equal(t, 50, tab.Count(t, "#audit-events .audit-event"), "one page")
	first := tab.Texts(t, "#audit-events .audit-type")[0]
	require.Equal(t, "API key created", first, "newest first")
	require.Regexp(t, `^admin:`, tab.Texts(t, "#audit-events .audit-event td:nth-child(4)")[0])
	tab.Click(t, "#audit-more")
	tab.WaitNotPresent(t, "#audit-more")
	require.Equal(t, 61, tab.Count(t, "#audit-events .audit-event"), "the older page follows")
	var body string
	tab.Eval(t, `document.body.textContent`, &body)
	require.NotContains(t, body, secret)

	tab.SetValue(t, "#audit-type", string(audit.APIKeyCreated))
	tab.Click(t, "#audit-apply")
	tab.WaitNotPresent(t, "#audit-more")
	deadline := time.Now().Add(browser.DefaultTimeout)
	for tab.Count(t, "#audit-events .audit-event") != 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, []string{"API key created"}, tab.Texts(t, "#audit-events .audit-type"))

	tab.Type(t, "#audit-user", "not-an-id")
	tab.Click(t, "#audit-apply")
	tab.WaitText(t, "#audit-user-error", "This is not a user ID. Copy it from the user's page.")

	tab.SetValue(t, "#audit-days", "30")
	tab.Click(t, "#audit-days-save")
	tab.WaitText(t, "#audit-days-status", "Saved. New events are kept for 30 days.")
	require.Equal(t, 30, c.tenant(t, "shop").Settings.Account.AuditLogDays)
	require.Empty(t, tab.ConsoleErrors())
}
