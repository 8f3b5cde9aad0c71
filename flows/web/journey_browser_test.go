package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// The journey of the console issue: an administrator creates a tenant and
// configures passkeys and 2-step verification in the console; an end user
// of that tenant signs up with a passkey, turns on 2-step verification,
// and in the account center adds, renames and removes a passkey. It runs
// in English (TestConsole_AdminConfiguresPasskeysAndMFAThenFindsTheNewUser,
// which goes on with what the administrator then sees) and in Spanish
// (TestJourney_InSpanish), where every step's words are checked against
// the Spanish locale files.

// configureShop creates the tenant "Shop" in the console and, from
// settings that leave them off, turns on passkey sign-in with autofill and
// the button, and passkeys as a second factor under a user-controlled
// policy, as an administrator does it; it returns the tenant as stored.
func configureShop(t *testing.T, c *consoleSite, tab *browser.Tab) *tenants.Tenant {
	t.Helper()
	// Create the tenant "Shop": the slug follows the name.
	tab.Type(t, "#tenant-name", "Shop")
	var slug string
	tab.Eval(t, `document.querySelector("#tenant-slug").value`, &slug)
	require.Equal(t, "shop", slug)
	tab.Click(t, "#create-tenant")
	tab.WaitVisible(t, "#hosted-sign-in")
	require.Equal(t, c.url("/console/tenants/shop"), tab.Location(t))
	var href string
	tab.Eval(t, `document.querySelector("#hosted-sign-in").href`, &href)
	require.Equal(t, c.srv.URL("shop")+"/", href)
	tab.Screenshot(t, browser.ShotPath(t, "overview.png"))

	// Start from autofill and the button off, MFA mandatory without
	// passkeys, so that the console is what turns them on.
	c.srv.SetPasskeys(t, "shop", func(p *tenants.Passkeys) { p.Autofill, p.ShowButton = false, false })
	c.srv.SetSettings(t, "shop", func(s *tenants.Settings) {
		s.MFA.Factors = []string{tenants.FactorTOTP, tenants.FactorBackupCodes}
		s.MFA.Policy = tenants.MFAMandatory
	})

	// Passkeys: the navigation link, then autofill and the button on.
	tab.Click(t, `.tenant-nav a[href="/console/tenants/shop/passkeys"]`)
	tab.WaitVisible(t, "#save-settings")
	require.Equal(t, c.url("/console/tenants/shop/passkeys"), tab.Location(t))
	require.Equal(t, "No passkey uses this RP ID yet.", tab.Text(t, "#f-passkeys-rpId-warn"))
	var rpID string
	tab.Eval(t, `document.querySelector("#f-passkeys-rpId").value`, &rpID)
	require.Equal(t, "shop.localhost", rpID)
	tab.Click(t, "#f-passkeys-autofill")
	tab.Click(t, "#f-passkeys-showButton")
	saveSettings(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, "passkeys.png"))
	shop := c.tenant(t, "shop")
	require.True(t, shop.Settings.Passkeys.Autofill)
	require.True(t, shop.Settings.Passkeys.ShowButton)
	require.True(t, shop.Settings.Passkeys.SignIn)

	// MFA: passkeys as a factor, user-controlled.
	tab.Click(t, `.tenant-nav a[href="/console/tenants/shop/mfa"]`)
	tab.WaitVisible(t, "#f-mfa-factors-webauthn")
	var checked bool
	tab.Eval(t, `document.querySelector("#f-mfa-policy-mandatory").checked`, &checked)
	require.True(t, checked, "the form shows the stored policy")
	tab.Click(t, "#f-mfa-factors-webauthn")
	tab.Click(t, "#f-mfa-policy-user_controlled")
	saveSettings(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, "mfa.png"))
	shop = c.tenant(t, "shop")
	require.ElementsMatch(t, []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorBackupCodes}, shop.Settings.MFA.Factors)
	require.Equal(t, tenants.MFAUserControlled, shop.Settings.MFA.Policy)

	return shop
}

// rawKey matches a locale key shown instead of its text.
var rawKey = regexp.MustCompile(`\b(?:common|errors|sign_in|sign_up|account)\.[a-zA-Z_]+`)

// requireLocalized fails when the page shows a locale key or an unfilled
// placeholder.
func requireLocalized(t *testing.T, tab *browser.Tab) {
	t.Helper()
	text := tab.Text(t, "body")
	require.Empty(t, rawKey.FindAllString(text, -1), "locale keys on the page")
	require.NotRegexp(t, `\{[a-zA-Z_]+\}`, text, "an unfilled placeholder on the page")
}

// endUserJourney is the end user's side of the journey on site, in a
// browser that asks for lang: sign-in page, sign-up with a passkey, "Turn
// on 2-step verification" enabled with an authenticator app, backup codes,
// then the account center where a second passkey is added, renamed and
// removed. Each step's words are the lang's from the locale files (and,
// in another language than English, not the English ones). It returns the
// user, left with the passkey made at sign-up.
func endUserJourney(t *testing.T, site *hostedSite, tab *browser.Tab, lang, email string) *db.User {
	t.Helper()
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	loc, en := catalog.Locale(lang, ""), catalog.Locale("en", "")
	text := func(key string, args ...any) string {
		t.Helper()
		s := loc.T(key, args...)
		if lang != "en" {
			require.NotEqual(t, en.T(key, args...), s, "%s is translated", key)
		}
		return s
	}
	name := site.tenant.Name
	accept := map[string]string{"en": "en-US,en;q=0.9", "es": "es-ES,es;q=0.9,en;q=0.5", "zh-CN": "zh-CN,zh;q=0.9"}[lang]
	tab.SetAcceptLanguage(t, accept)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	tab.Navigate(t, site.url("/"))
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, text("sign_in.title", "tenant", name), tab.Text(t, "h1"))
	var pageLang string
	tab.Eval(t, "document.documentElement.lang", &pageLang)
	require.Equal(t, lang, pageLang)
	require.Equal(t, "true", tab.Attr(t, "#lang-"+lang, "aria-current"))
	requireLocalized(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, lang+"-sign-in.png"))

	tab.Navigate(t, site.url("/sign-up"))
	require.Equal(t, text("sign_up.title", "tenant", name), tab.Text(t, "h1"))
	require.Equal(t, text("sign_up.create_with_passkey"), tab.Text(t, "#create-passkey"))
	require.Equal(t, text("sign_up.continue"), tab.Text(t, "#sign-up-continue"))
	requireLocalized(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, lang+"-sign-up.png"))
	tab.Type(t, "#identifier", email)
	site.createPasskeyFirst(t, tab, email)

	// "Turn on 2-step verification", enabled: the authenticator app, then
	// the backup codes.
	tab.WaitVisible(t, "#two-step-enable")
	require.Equal(t, text("sign_up.two_step.title"), tab.Text(t, "#two-step-title"))
	require.Equal(t, text("sign_up.two_step.enable"), tab.Text(t, "#two-step-enable"))
	require.Equal(t, text("sign_up.two_step.skip"), tab.Text(t, "#two-step-skip"))
	require.False(t, site.user(t, email).MFAEnabled, "the passkey alone does not turn 2-step verification on")
	requireLocalized(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, lang+"-two-step.png"))
	tab.Click(t, "#two-step-enable")
	tab.WaitVisible(t, "#totp-qr")
	require.Equal(t, text("sign_up.totp.title"), tab.Text(t, "#totp-title"))
	require.Equal(t, text("sign_up.totp.confirm"), tab.Text(t, "#totp-confirm"))
	requireLocalized(t, tab)

	// A wrong code first: the page says so in the page's language.
	tab.Type(t, "#totp-code", "000000")
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#totp-code-error:not(:empty)")
	if lang != "en" {
		require.NotContains(t, tab.Text(t, "#totp-code-error"), "code")
	}
	requireLocalized(t, tab)

	code, err := totp.GenerateCode(tab.Text(t, "#totp-secret"), time.Now())
	require.NoError(t, err)
	tab.Eval(t, `document.getElementById("totp-code").value = ""`, nil)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#backup-codes-saved")
	require.Equal(t, text("sign_up.backup.title"), tab.Text(t, "#backup-title"))
	require.Equal(t, text("sign_up.backup.saved"), tab.Text(t, "#backup-codes-saved"))
	require.Len(t, tab.Texts(t, "li.backup-code"), 10)
	requireLocalized(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, lang+"-backup-codes.png"))
	user := site.user(t, email)
	require.True(t, user.MFAEnabled)

	// The account center.
	tab.Click(t, "#backup-codes-saved")
	site.waitAccount(t, tab)
	waitAccountCenter(t, tab)
	require.Equal(t, text("account.title", "tenant", name), tab.Text(t, "h1"))
	headings := tab.Texts(t, "h2")
	require.Contains(t, headings, text("account.passkeys"))
	require.Contains(t, headings, text("account.twoStep"))
	require.Contains(t, headings, text("account.sessions"))
	requireLocalized(t, tab)
	requireNoStrayText(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, lang+"-account.png"))

	// A second passkey from a laptop whose passkeys sync: added with a
	// name, renamed, removed after the confirmation.
	phone.unplug(t)
	laptop := &passkeyDevice{opts: browser.AuthenticatorOptions{BackupEligible: true, BackedUp: true}}
	laptop.plugIn(t, tab)
	tab.Type(t, "#passkey-name", "Laptop")
	tab.Click(t, "#add-passkey")
	tab.WaitText(t, "#status", text("account.added"))
	creds := site.credentials(t, user.ID)
	require.Len(t, creds, 2)
	second := storedCredential(t, creds, laptop.only(t).CredentialID)
	item := passkeyItem(second.ID)
	require.Equal(t, text("account.synced"), tab.Text(t, item+" .passkey-sync"))

	tab.Click(t, item+" .passkey-rename")
	tab.WaitVisible(t, item+" .rename-input")
	require.Equal(t, text("account.newName", "name", "Laptop"), tab.Label(t, item+" .rename-input"))
	tab.Type(t, item+" .rename-input", "Laptop 2\r") // the field opens with its text selected
	tab.WaitText(t, "#status", text("account.renamed"))
	require.Equal(t, "Laptop 2", storedCredential(t, site.credentials(t, user.ID), second.CredentialID).Name)

	tab.Click(t, item+" .passkey-remove")
	tab.WaitVisible(t, item+" .passkey-remove-confirm")
	require.Equal(t, text("account.removeConfirm", "name", "Laptop 2"), tab.Text(t, item+" .remove-text"))
	require.Equal(t, text("account.removeYes"), tab.Text(t, item+" .passkey-remove-confirm"))
	tab.Screenshot(t, browser.ShotPath(t, lang+"-account-remove.png"))
	tab.Click(t, item+" .passkey-remove-confirm")
	tab.WaitText(t, "#status", text("account.removed"))
	require.Len(t, site.credentials(t, user.ID), 1)
	requireLocalized(t, tab)
	laptop.unplug(t)
	requireOnlyOwnHost(t, site.origin, ownRequests(tab.Requests()))
	return user
}

// The journey in Spanish: the administrator's console is English; the end
// user's browser asks for Spanish. Then the switcher turns the account
// center into Simplified Chinese, and the choice outlives signing out.
func TestJourney_InSpanish(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t)
	b := browser.New(t)
	admin := b.NewTab(t)
	admin.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, admin)
	shop := configureShop(t, c, admin)

	site := &hostedSite{srv: c.srv, tenant: shop, origin: c.srv.URL("shop")}
	person := b.NewTab(t)
	endUserJourney(t, site, person, "es", "lucia@example.com")

	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	zh := catalog.Locale("zh-CN", "")
	person.Click(t, "#lang-zh-CN")
	waitAccountCenter(t, person)
	require.Equal(t, zh.T("account.title", "tenant", "Shop"), person.Text(t, "h1"))
	requireLocalized(t, person)
	person.Screenshot(t, browser.ShotPath(t, "zh-CN-account.png"))
	person.Click(t, "#sign-out")
	person.WaitVisible(t, "#identifier")
	require.Equal(t, zh.T("sign_in.title", "tenant", "Shop"), person.Text(t, "h1"), "the choice is remembered")
	// The page's own scripts raised nothing; the one failed request is the
	// wrong authenticator code, answered 401.
	var others []string
	for _, e := range person.ConsoleErrors() {
		if !strings.HasPrefix(e, "log.network:") {
			others = append(others, e)
		}
	}
	require.Empty(t, others)
}
