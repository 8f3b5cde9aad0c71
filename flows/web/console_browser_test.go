package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// These tests walk the console on the admin host in Chromium, as an
// administrator made with a setup link, and check what the pages show
// against what the database holds.

const textSettingsChanged = "Someone else changed these settings. Reload to see their changes."

// consoleSite is the admin host of a running server with one
// administrator.
type consoleSite struct {
	srv    *testserver.Server
	origin string
	token  string
}

// newConsoleSite starts a server with an administrator who owns the
// tenants named by slug (created with default settings).
func newConsoleSite(t *testing.T, owns ...string) *consoleSite {
	t.Helper()
	return newConsoleSiteWith(t, testserver.Options{}, owns...)
}

// newConsoleSiteWith is newConsoleSite on a server started with opts.
func newConsoleSiteWith(t *testing.T, opts testserver.Options, owns ...string) *consoleSite {
	t.Helper()
	srv := testserver.Start(t, testdb.SQLite, opts)
	var ts []*tenants.Tenant
	for _, slug := range owns {
		ts = append(ts, srv.CreateTenant(t, slug, strings.ToUpper(slug[:1])+slug[1:]))
	}
	_, token := newAdministrator(t, srv, "ada@example.com", ts...)
	return &consoleSite{srv: srv, origin: srv.URL(tenants.AdminSlug), token: token}
}

func (c *consoleSite) url(path string) string { return c.origin + path }

// setUp opens the setup link, creates the administrator's passkey on the
// tab's authenticator and waits for the console.
func (c *consoleSite) setUp(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.Navigate(t, c.url("/setup#"+c.token))
	tab.Click(t, "#setup-passkey")
	// The setup page navigates to the console once the passkey is made;
	// waiting for an element before that would wait on the setup page.
	deadline := time.Now().Add(browser.DefaultTimeout)
	for tab.Location(t) != c.url("/console") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	tab.WaitVisible(t, "#create-tenant-form")
	require.Equal(t, c.url("/console"), tab.Location(t))
}

// tenant reads the tenant from the database.
func (c *consoleSite) tenant(t *testing.T, slug string) *tenants.Tenant {
	t.Helper()
	tn, err := c.srv.Tenants.BySlug(context.Background(), slug)
	require.NoError(t, err)
	return tn
}

// openSettings opens a settings page of the tenant and waits for its form.
func openSettings(t *testing.T, tab *browser.Tab, c *consoleSite, slug, page string) {
	t.Helper()
	tab.Navigate(t, c.url("/console/tenants/"+slug+"/"+page))
	tab.WaitVisible(t, "#save-settings")
}

// saveSettings presses Save and waits for the confirmation.
func saveSettings(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#settings-status", "Settings saved.")
}

func TestConsole_AdminConfiguresPasskeysAndMFAThenFindsTheNewUser(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t)
	// The admin host's sign-in page shows the button, not autofill, so that
	// signing in again is a press of "Continue with passkey".
	c.srv.SetPasskeys(t, tenants.AdminSlug, func(p *tenants.Passkeys) { p.Autofill = false })
	b := browser.New(t)
	tab := b.NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})

	c.setUp(t, tab)
	require.Equal(t, "ada@example.com", tab.Text(t, "#admin-name"))
	require.Equal(t, "You manage no tenant yet. Create one below.", tab.Text(t, "#tenants-empty"))
	tab.Screenshot(t, browser.ShotPath(t, "tenants.png"))

	// Sign out, then in again with the passkey.
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#passkey-button")
	require.Equal(t, c.url("/"), tab.Location(t))
	tab.Navigate(t, c.url("/console"))
	tab.WaitVisible(t, "#passkey-button")
	require.Equal(t, c.url("/"), tab.Location(t), "signed out, the console sends to the sign-in page")
	tab.Click(t, "#passkey-button")
	tab.WaitVisible(t, "#create-tenant-form")
	require.Equal(t, c.url("/console"), tab.Location(t))

	shop := configureShop(t, c, tab)

	// The other settings pages draw their forms.
	for _, page := range []string{"sign-in", "captcha", "limits"} {
		openSettings(t, tab, c, "shop", page)
		tab.Screenshot(t, browser.ShotPath(t, page+".png"))
	}

	// An end user signs up on the tenant's hosted page with a passkey,
	// turns on 2-step verification, and adds, renames and removes a
	// passkey in the account center.
	site := &hostedSite{srv: c.srv, tenant: shop, origin: c.srv.URL("shop")}
	person := b.NewTab(t)
	grace := endUserJourney(t, site, person, "en", "grace@example.com")
	creds := site.credentials(t, grace.ID)
	require.Len(t, creds, 1)

	// grace let a third-party application use her account.
	printer, err := apps.Create(context.Background(), site.scope(), apps.Spec{Name: "Photo Printer", Type: apps.TypeWeb,
		RedirectURIs: []string{"https://printer.example.com/cb"}}, time.Now())
	require.NoError(t, err)
	require.NoError(t, site.scope().OIDCGrants().Save(context.Background(), grace.ID, printer.App.ID, []string{"openid", "email"}, time.Now()))

	// The administrator finds them by search and sees their passkey.
	tab.Click(t, `.tenant-nav a[href="/console/tenants/shop/users"]`)
	// The list's first load (every user) settles before the search is typed.
	tab.WaitVisible(t, `#user-results[aria-busy="false"][data-query=""]`)
	tab.Type(t, "#user-search", "grace")
	tab.Click(t, "#user-search-button")
	tab.WaitVisible(t, `#user-results[aria-busy="false"][data-query="grace"] #users li a`)
	require.Equal(t, []string{"grace@example.com"}, tab.Texts(t, "#users .item-title"))
	tab.Screenshot(t, browser.ShotPath(t, "users.png"))
	tab.Click(t, "#users li a")
	tab.WaitVisible(t, "#user-passkeys")
	require.Equal(t, c.url("/console/tenants/shop/users/"+grace.ID.String()), tab.Location(t))
	require.Equal(t, []string{creds[0].Name}, tab.Texts(t, "#user-passkeys .passkey-name"))
	require.Equal(t, []string{"This device only"}, tab.Texts(t, "#user-passkeys .passkey-sync"))
	require.Equal(t, 1, tab.Count(t, "#user-sessions li"), "the sign-up session")
	require.Equal(t, []string{"Chrome on Linux"}, tab.Texts(t, "#user-sessions .session-device"), "a short browser and system, not the user agent")
	require.Equal(t, []string{"127.0.0.1 · Signed in with passkey"}, tab.Texts(t, "#user-sessions .session-meta"))
	tab.Screenshot(t, browser.ShotPath(t, "user.png"))

	// They see her connected app and remove its access.
	require.Equal(t, []string{"Photo Printer"}, tab.Texts(t, "#user-apps .item-title"))
	tab.Click(t, "#user-apps li button")
	tab.Click(t, "#user-apps .confirm button.danger")
	tab.WaitText(t, "#user-status", "Photo Printer no longer has access.")
	tab.WaitVisible(t, "#user-apps-empty")
	_, err = site.scope().OIDCGrants().Get(context.Background(), grace.ID, printer.App.ID)
	require.ErrorIs(t, err, db.ErrNotFound)

	// Disable them: their session ends.
	tab.Click(t, "#user-disable")
	tab.WaitText(t, "#user-status", "User disabled: they cannot sign in, and their sessions stop working.")
	require.Equal(t, "Disabled", tab.Text(t, "#user-state"))
	require.NotNil(t, site.user(t, "grace@example.com").DisabledAt)
	person.Navigate(t, site.url("/account"))
	person.WaitVisible(t, "#identifier")
	require.NotEqual(t, site.url("/account"), person.Location(t), "a disabled user's session stops working")

	// Reload keeps the page: the route comes from the address.
	tab.Navigate(t, tab.Location(t))
	tab.WaitVisible(t, "#user-passkeys")
	require.Equal(t, "grace@example.com", tab.Text(t, "#user-name"))

	// Moving the RP ID strands grace's passkey: the page warns, the server
	// asks for a confirmation, and only the confirmation saves it.
	openSettings(t, tab, c, "shop", "passkeys")
	require.Equal(t, "1 passkey(s) use this RP ID. Changing it stops them from working: their users can no longer sign in with them.",
		tab.Text(t, "#f-passkeys-rpId-warn"))
	tab.SetValue(t, "#f-passkeys-rpId", "localhost")
	tab.Click(t, "#save-settings")
	tab.WaitVisible(t, "#confirm-rp-id")
	require.Equal(t, "1 passkey(s) use the current RP ID. If you change it, their users can no longer sign in with them. "+
		"Choose “Change the RP ID anyway” to save the new RP ID, or “Cancel” to keep the current one.", tab.Text(t, "#rp-id-confirm-text"))
	require.NotEqual(t, "localhost", c.tenant(t, "shop").Settings.Passkeys.RPID, "not saved before the confirmation")
	tab.Screenshot(t, browser.ShotPath(t, "rp-id-confirm.png"))
	tab.Click(t, "#confirm-rp-id")
	tab.WaitText(t, "#settings-status", "Settings saved.")
	require.Equal(t, "localhost", c.tenant(t, "shop").Settings.Passkeys.RPID)
	require.Empty(t, tab.ConsoleErrors())
	requireOnlyOwnHost(t, c.origin, tab.Requests())
}

func TestConsole_SecondSaveOfStaleSettingsAsksToReload(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	b := browser.New(t)
	first := b.NewTab(t)
	first.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, first)
	second := b.NewTab(t) // the same browser: the same administrator
	before := c.tenant(t, "shop")
	require.Contains(t, before.Settings.MFA.Factors, tenants.FactorTOTP)

	openSettings(t, first, c, "shop", "mfa")
	openSettings(t, second, c, "shop", "mfa")
	first.Click(t, "#f-mfa-factors-totp") // off
	saveSettings(t, first)
	second.Click(t, "#f-mfa-factors-sms") // on, over a stale version
	second.Click(t, "#save-settings")
	second.WaitText(t, "#settings-conflict", textSettingsChanged)
	second.Screenshot(t, browser.ShotPath(t, "settings-changed.png"))

	after := c.tenant(t, "shop")
	require.Equal(t, before.SettingsVersion+1, after.SettingsVersion, "only the first save went through")
	require.NotContains(t, after.Settings.MFA.Factors, tenants.FactorTOTP, "the first change is kept")
	require.NotContains(t, after.Settings.MFA.Factors, tenants.FactorSMS, "the stale change is refused")

	// Reload shows the first tab's change; saving then works.
	second.Click(t, "#reload-settings")
	second.WaitText(t, "#settings-status", "Reloaded the latest settings.")
	var totp bool
	second.Eval(t, `document.querySelector("#f-mfa-factors-totp").checked`, &totp)
	require.False(t, totp)
	second.Click(t, "#f-mfa-factors-sms")
	saveSettings(t, second)
	require.Contains(t, c.tenant(t, "shop").Settings.MFA.Factors, tenants.FactorSMS)
	require.Empty(t, first.ConsoleErrors())
}

func TestConsole_InvalidSettingsShowTheServersMessageAtTheField(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)
	before := c.tenant(t, "shop")

	openSettings(t, tab, c, "shop", "sign-in")
	tab.SetValue(t, "#f-password-minLength", "3")
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#f-password-minLength-error", "Minimum length: 3 is below 8, the least a password may have")
	var invalid string
	tab.Eval(t, `document.querySelector("#f-password-minLength").getAttribute("aria-invalid")`, &invalid)
	require.Equal(t, "true", invalid)
	tab.Screenshot(t, browser.ShotPath(t, "field-error.png"))

	openSettings(t, tab, c, "shop", "mfa")
	for _, f := range []string{"webauthn", "totp"} { // leaves backup codes only
		tab.Click(t, "#f-mfa-factors-"+f)
	}
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#f-mfa-factors-error", "Factors: backup codes recover a second factor and cannot be the only one; enable webauthn, totp or sms too")

	// The server's field names come back as the labels the page shows.
	openSettings(t, tab, c, "shop", "providers")
	tab.Click(t, "#f-providersSms-provider-twilio")
	tab.SetValue(t, "#f-providersSms-accountSid", "AC1")
	tab.SetValue(t, "#f-providersSms-authToken", "token")
	tab.SetValue(t, "#f-providersSms-from", "+14155550100")
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#f-providersSms-accountSid-error",
		`Twilio account SID must be "AC" followed by 32 letters or digits (34 characters); got 3 characters`)

	after := c.tenant(t, "shop")
	require.Equal(t, before.SettingsVersion, after.SettingsVersion, "nothing was saved")
	require.Equal(t, before.Settings.Password.MinLength, after.Settings.Password.MinLength)
	require.Equal(t, before.Settings.MFA.Factors, after.Settings.MFA.Factors)
}

func TestConsole_APIKeyIsShownOnceAndRevoked(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)
	shop := c.tenant(t, "shop")
	keys := func() int {
		ks, err := c.srv.DB.ForTenant(shop.ID).APIKeys().List(context.Background())
		require.NoError(t, err)
		return len(ks)
	}

	tab.Navigate(t, c.url("/console/tenants/shop/api-keys"))
	tab.WaitVisible(t, "#api-keys-empty")
	tab.Type(t, "#api-key-name", "Billing")
	tab.Click(t, "#create-api-key")
	tab.WaitVisible(t, "#new-api-key-secret")
	secret := tab.Text(t, "#new-api-key-secret")
	require.NotEmpty(t, secret)
	require.Equal(t, []string{"Billing"}, tab.Texts(t, "#api-keys .api-key-name"))
	require.Equal(t, 1, keys())
	tab.Screenshot(t, browser.ShotPath(t, "api-keys.png"))

	tab.Navigate(t, tab.Location(t))
	tab.WaitVisible(t, "#api-keys")
	require.False(t, tab.Has(t, "#new-api-key"))
	var body string
	tab.Eval(t, `document.body.textContent`, &body)
	require.NotContains(t, body, secret, "the secret is shown once")
	require.NotContains(t, tab.Text(t, "#console"), "null", "no stray null where the secret box was")

	tab.Click(t, "#api-keys li button")
	tab.WaitVisible(t, "#api-keys-empty")
	require.Equal(t, 0, keys())
}

func TestConsole_FitsA360PixelScreenAndLoadsFromItsOwnHostOnly(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	// Using the setup link on a phone-sized screen.
	tab.SetViewport(t, 360, 740, true)
	tab.Navigate(t, c.url("/setup#"+c.token))
	tab.Click(t, "#setup-passkey")
	tab.WaitVisible(t, "#create-tenant-form")
	const fits = `document.documentElement.scrollWidth <= innerWidth &&
  [...document.querySelectorAll("main *")].every((el) => el.getBoundingClientRect().right <= innerWidth + 0.5)`
	pages := []struct{ path, ready, name string }{
		{"/console", "#tenants", "tenants"},
		{"/console/tenants/shop", "#hosted-sign-in", "overview"},
		{"/console/tenants/shop/sign-in", "#save-settings", "sign-in"},
		{"/console/tenants/shop/mfa", "#save-settings", "mfa"},
		{"/console/tenants/shop/passkeys", "#save-settings", "passkeys"},
		{"/console/tenants/shop/captcha", "#save-settings", "captcha"},
		{"/console/tenants/shop/limits", "#save-settings", "limits"},
		{"/console/tenants/shop/providers", "#send-test", "providers"},
		{"/console/tenants/shop/users", "#user-search", "users"},
		{"/console/tenants/shop/api-keys", "#create-api-key", "api-keys"},
		{"/console/tenants/shop/applications", "#create-application", "applications"},
	}
	for _, p := range pages {
		tab.Navigate(t, c.url(p.path))
		tab.WaitVisible(t, p.ready)
		var ok bool
		tab.Eval(t, fits, &ok)
		require.True(t, ok, "%s is wider than 360 px", p.path)
		tab.Screenshot(t, browser.ShotPath(t, p.name+"-360.png"))
	}
	reqs := tab.Requests()
	requireOnlyOwnHost(t, c.origin, reqs)
	require.True(t, slices.ContainsFunc(reqs, func(u string) bool { return strings.HasSuffix(u, "/console/tenants/shop/graphql") }))
}

func TestConsole_ProvidersSaveWithWriteOnlySecretsAndTestMessageReachesTheOutbox(t *testing.T) {
	t.Parallel()
	c := newConsoleSiteWith(t, testserver.Options{Development: true}, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	// An SMTP server without a host is refused at the field.
	openSettings(t, tab, c, "shop", "providers")
	before := c.tenant(t, "shop")
	tab.Click(t, "#f-providersEmail-provider-smtp")
	tab.Click(t, "#save-settings")
	tab.WaitVisible(t, "#f-providersEmail-host-error")
	hostError := tab.Text(t, "#f-providersEmail-host-error")
	require.True(t, strings.HasPrefix(hostError, "SMTP host"), "the field's label, not its settings path: %s", hostError)
	require.NotContains(t, hostError, "providers.email")
	require.Equal(t, before.SettingsVersion, c.tenant(t, "shop").SettingsVersion, "nothing was saved")

	// With the host and a password: saved; the password is never shown.
	tab.Type(t, "#f-providersEmail-host", "smtp.shop.example")
	tab.SetValue(t, "#f-providersEmail-port", "587")
	tab.Type(t, "#f-providersEmail-username", "mailer")
	tab.Type(t, "#f-providersEmail-password", "s3cret-pass")
	tab.Type(t, "#f-providersEmail-from", "no-reply@shop.example")
	saveSettings(t, tab)
	saved := c.tenant(t, "shop").Settings.Providers.Email
	require.Equal(t, "smtp", saved.Provider)
	require.Equal(t, "smtp.shop.example", saved.Host)
	require.Equal(t, "s3cret-pass", saved.Password)
	var pw string
	tab.Eval(t, `document.querySelector("#f-providersEmail-password").value`, &pw)
	require.Empty(t, pw)
	require.Equal(t, "A password is stored. Leave empty to keep it.", tab.Text(t, "#f-providersEmail-password-hint"))
	// Saving again without typing it keeps it.
	saveSettings(t, tab)
	require.Equal(t, "s3cret-pass", c.tenant(t, "shop").Settings.Providers.Email.Password)

	// Back to the outbox, then a test message shows in the console's outbox.
	tab.Click(t, "#f-providersEmail-provider-outbox")
	saveSettings(t, tab)
	tab.Type(t, "#test-to", "ops@shop.example")
	tab.Click(t, "#send-test")
	tab.WaitText(t, "#test-sent", "Test message sent.")
	require.Equal(t, c.srv.Outbox.Messages()[0].ID, tab.Text(t, "#test-message-id"))
	tab.Screenshot(t, browser.ShotPath(t, "providers.png"))
	tab.Click(t, `.console-nav a[href="/console/outbox"]`)
	tab.WaitVisible(t, "#outbox")
	require.Contains(t, tab.Texts(t, "#outbox .item-title"), "email to ops@shop.example")
	tab.Screenshot(t, browser.ShotPath(t, "outbox.png"))
	require.Empty(t, tab.ConsoleErrors())
}

// TestConsole_MemberCannotCreateAndAUserWithoutARecordHasNoAccess: a
// member administrator's console lists their tenant with no form to
// create one; a user of the admin tenant without an administrator record,
// once signed in, is told they have no access to the console.
func TestConsole_MemberCannotCreateAndAUserWithoutARecordHasNoAccess(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := srv.CreateTenant(t, "acme", "Acme")
	origin := srv.URL(tenants.AdminSlug)
	b := browser.New(t)
	setUp := func(tab *browser.Tab, token string) {
		tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
		tab.Navigate(t, origin+"/setup#"+token)
		tab.Click(t, "#setup-passkey")
		deadline := time.Now().Add(browser.DefaultTimeout)
		for tab.Location(t) != origin+"/console" && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		require.Equal(t, origin+"/console", tab.Location(t))
	}

	_, token := newAdministratorAs(t, srv, "ada@example.com", "member", acme)
	tab := b.NewTab(t)
	setUp(tab, token)
	tab.WaitVisible(t, "#tenants")
	require.Contains(t, tab.Text(t, "#tenants"), "Acme")
	tab.WaitNotPresent(t, "#create-tenant-form")

	_, token = newAdministratorAs(t, srv, "nobody@example.com", "")
	tab = b.NewTab(t)
	setUp(tab, token)
	tab.WaitVisible(t, "#console-no-access")
	require.Equal(t, "No access to the console", tab.Text(t, "#console-no-access"))
	tab.Screenshot(t, browser.ShotPath(t, "no-access.png"))
}
