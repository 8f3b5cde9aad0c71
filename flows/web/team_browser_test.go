package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// waitLocation waits until the tab shows url.
func waitLocation(t *testing.T, tab *browser.Tab, url string) {
	t.Helper()
	deadline := time.Now().Add(browser.DefaultTimeout)
	for tab.Location(t) != url && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, url, tab.Location(t))
}

// TestTeamConsole_InvitedUserEndsWithAWorkingPasskey: the overview says
// what to do next from the tenant's state; an administrator invites a user
// from the console; the invitee opens the emailed link, creates a passkey,
// lands signed in on the account page, signs out and signs in with it.
func TestTeamConsole_InvitedUserEndsWithAWorkingPasskey(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "acme")
	acme := c.srv.SetPasskeys(t, "acme", func(p *tenants.Passkeys) { p.Autofill = false })
	b := browser.New(t)
	tab := b.NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	// The overview: no application, no user, nobody else on the team.
	tab.Navigate(t, c.url("/console/tenants/acme"))
	tab.WaitVisible(t, "#next-steps")
	require.Equal(t, "What to do next", tab.Text(t, "#next-steps-heading"))
	require.Equal(t, "Connect an application", tab.Text(t, "#step-application a"))
	require.True(t, strings.HasSuffix(tab.Attr(t, "#step-application a", "href"), "/console/tenants/acme/applications"))
	require.Contains(t, tab.Text(t, "#step-users"), "This tenant has no users yet.")
	require.Contains(t, tab.Text(t, "#step-teammate"), "Invite a teammate")
	require.Contains(t, tab.Text(t, "#step-message"), "development outbox")
	require.NotContains(t, tab.Text(t, ".console-page"), "Settings version")
	tab.Screenshot(t, browser.ShotPath(t, "overview.png"))

	// Invite a user.
	tab.Click(t, "#step-users a")
	tab.WaitVisible(t, "#invite-user-form")
	tab.Type(t, "#invite-email", "ivy@example.com")
	tab.Type(t, "#invite-name", "Ivy")
	tab.Click(t, "#invite-user")
	tab.WaitText(t, "#invite-status", "Invitation sent to ivy@example.com.")
	mail := waitEmail(t, c.srv.Outbox, "ivy@example.com")
	require.Equal(t, "You're invited to Acme", mail.Subject)
	link := regexp.MustCompile(`http://\S+/invitation#\S+`).FindString(mail.Body)
	require.NotEmpty(t, link, mail.Body)

	// The invitee, in their own browser, with their own authenticator.
	other := browser.New(t)
	person := other.NewTab(t)
	person.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	site := &hostedSite{srv: c.srv, tenant: acme, origin: c.srv.URL("acme")}
	person.Navigate(t, link)
	person.WaitVisible(t, "#invitation-passkey")
	require.Equal(t, "Welcome to Acme", person.Text(t, "h1"))
	require.Equal(t, site.url("/invitation"), person.Location(t), "the token leaves the address bar")
	person.Screenshot(t, browser.ShotPath(t, "invitation.png"))
	person.Click(t, "#invitation-passkey")
	waitLocation(t, person, site.url("/account"))
	site.waitAccount(t, person)
	ivy := site.user(t, "ivy@example.com")
	require.Equal(t, "Ivy", ivy.DisplayName)
	require.Len(t, site.credentials(t, ivy.ID), 1, "the invitee has a passkey")

	// The passkey works: sign out, sign in with it.
	site.signOut(t, person)
	person.Click(t, "#passkey-button")
	site.waitAccount(t, person)

	// The link was spent.
	person.Navigate(t, link)
	person.Click(t, "#invitation-passkey")
	person.WaitText(t, "#message", "This invitation was already used or has expired. Ask for a new invitation.")

	// The overview counts the user now.
	tab.Navigate(t, c.url("/console/tenants/acme"))
	tab.WaitVisible(t, "#step-users.done")
}

// TestTeamConsole_ViewerSeesTheConsoleReadOnlyAndTheAPIRefusesTheirSave:
// an owner invites a viewer from the Team page; the viewer creates a
// passkey with the emailed link, sees the tenant without the controls
// that change it, and a save sent straight to the API is refused.
func TestTeamConsole_ViewerSeesTheConsoleReadOnlyAndTheAPIRefusesTheirSave(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "acme")
	b := browser.New(t)
	tab := b.NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.Navigate(t, c.url("/console/tenants/acme/team"))
	tab.WaitVisible(t, "#team-invite-form")
	tab.Type(t, "#team-email", "vera@example.com")
	tab.SetValue(t, "#team-role", "viewer")
	tab.Click(t, "#team-invite")
	tab.WaitText(t, "#team-status", "Invitation sent to vera@example.com.")
	require.Contains(t, tab.Text(t, `#team li[data-email="vera@example.com"]`), "Viewer (read-only)")
	tab.Screenshot(t, browser.ShotPath(t, "team.png"))
	mail := waitEmail(t, c.srv.Outbox, "vera@example.com")
	require.Equal(t, "You're invited to manage Acme", mail.Subject)
	link := regexp.MustCompile(`http://\S+/setup#\S+`).FindString(mail.Body)
	require.True(t, strings.HasPrefix(link, c.url("/setup#")), mail.Body)

	other := browser.New(t)
	vera := other.NewTab(t)
	vera.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	vera.Navigate(t, link)
	vera.Click(t, "#setup-passkey")
	waitLocation(t, vera, c.url("/console"))

	// Read-only pages: the note, no save, no invitation form.
	vera.Navigate(t, c.url("/console/tenants/acme/passkeys"))
	vera.WaitVisible(t, "#read-only-note")
	vera.WaitVisible(t, "#settings-form")
	require.False(t, vera.Shows(t, "#save-settings"), "a viewer sees no Save")
	vera.Navigate(t, c.url("/console/tenants/acme/team"))
	vera.WaitVisible(t, "#team-owners-only")
	require.False(t, vera.Has(t, "#team-invite-form"))
	require.False(t, vera.Has(t, ".change-role"))
	vera.Navigate(t, c.url("/console/tenants/acme/api-keys"))
	vera.WaitVisible(t, "#read-only-note")
	require.False(t, vera.Shows(t, "#create-api-key-form"))
	vera.Screenshot(t, browser.ShotPath(t, "viewer.png"))

	// Saving anyway, through the API the page uses, is refused.
	before := c.tenant(t, "acme").SettingsVersion
	var code string
	vera.Eval(t, `fetch("/console/tenants/acme/graphql", {method: "POST", credentials: "same-origin",
		headers: {"Content-Type": "application/json", "X-Sesame-Request": "1"},
		body: JSON.stringify({query: "mutation { updateSettings(input: {version: `+strconv.FormatInt(before, 10)+`, defaultLocale: \"es\"}) { settingsVersion } }"})})
		.then((r) => r.json()).then((d) => d.errors[0].extensions.code)`, &code)
	require.Equal(t, "read_only_role", code)
	require.Equal(t, before, c.tenant(t, "acme").SettingsVersion, "nothing saved")
}
