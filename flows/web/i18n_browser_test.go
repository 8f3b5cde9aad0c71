package web_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// rawKey matches a locale key shown instead of its text.
var rawKey = regexp.MustCompile(`\b(?:common|errors|sign_in|sign_up|account)\.[a-zA-Z_]+`)

// requireLocalized fails when the page shows a locale key, an unfilled
// placeholder, or a word the English page has but the page's language
// lacks.
func requireLocalized(t *testing.T, tab *browser.Tab) {
	t.Helper()
	text := tab.Text(t, "body")
	require.Empty(t, rawKey.FindAllString(text, -1), "locale keys on the page")
	require.NotRegexp(t, `\{[a-zA-Z_]+\}`, text, "an unfilled placeholder on the page")
}

// The journey of the console test, from the end user's side, in Spanish:
// the tenant an administrator set up (passkey sign-in with autofill,
// passkeys as a second factor under a user-controlled policy); a person
// whose browser asks for Spanish signs up with a passkey, turns on 2-step
// verification with an authenticator app, saves the backup codes, and in
// the account center adds, renames and removes a passkey. Every step's
// words are checked against the Spanish locale files, and differ from
// the English ones.
func TestJourney_SpanishSignUpTwoStepAndAccountCenter(t *testing.T) {
	t.Parallel()
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	es := catalog.Locale("es", "")
	en := catalog.Locale("en", "")
	// spanish returns the Spanish text of key, checking that it is not the
	// English one.
	spanish := func(key string, args ...any) string {
		t.Helper()
		s := es.T(key, args...)
		require.NotEqual(t, en.T(key, args...), s, "%s is translated", key)
		return s
	}

	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	shop := newHostedSite(t, srv, "shop", "Shop")
	shop.tenant = srv.SetSettings(t, "shop", func(s *tenants.Settings) {
		s.Passkeys.SignIn, s.Passkeys.ShowButton, s.Passkeys.Autofill = true, true, true
		s.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorBackupCodes}
		s.MFA.Policy = tenants.MFAUserControlled
	})

	tab := browser.New(t).NewTab(t)
	tab.SetAcceptLanguage(t, "es-ES,es;q=0.9,en;q=0.5")
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	// Sign-in page, then sign-up, in Spanish from the browser's language.
	tab.Navigate(t, shop.url("/"))
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, spanish("sign_in.title", "tenant", "Shop"), tab.Text(t, "h1"))
	var lang string
	tab.Eval(t, "document.documentElement.lang", &lang)
	require.Equal(t, "es", lang)
	require.Equal(t, "true", tabAttr(t, tab, "#lang-es", "aria-current"))
	requireLocalized(t, tab)
	tab.Screenshot(t, shotPath(t, "es-sign-in.png"))

	const email = "lucia@example.com"
	tab.Navigate(t, shop.url("/sign-up"))
	require.Equal(t, spanish("sign_up.title", "tenant", "Shop"), tab.Text(t, "h1"))
	require.Equal(t, spanish("sign_up.create_with_passkey"), tab.Text(t, "#create-passkey"))
	require.Equal(t, spanish("sign_up.continue"), tab.Text(t, "#sign-up-continue"))
	requireLocalized(t, tab)
	tab.Screenshot(t, shotPath(t, "es-sign-up.png"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#create-passkey")

	// "Turn on 2-step verification", enabled: the authenticator app, then
	// the backup codes.
	tab.WaitVisible(t, "#two-step-enable")
	require.Equal(t, spanish("sign_up.two_step.title"), tab.Text(t, "#two-step-title"))
	require.Equal(t, spanish("sign_up.two_step.enable"), tab.Text(t, "#two-step-enable"))
	require.Equal(t, spanish("sign_up.two_step.skip"), tab.Text(t, "#two-step-skip"))
	requireLocalized(t, tab)
	tab.Screenshot(t, shotPath(t, "es-two-step.png"))
	tab.Click(t, "#two-step-enable")
	tab.WaitVisible(t, "#totp-qr")
	require.Equal(t, spanish("sign_up.totp.title"), tab.Text(t, "#totp-title"))
	require.Equal(t, spanish("sign_up.totp.confirm"), tab.Text(t, "#totp-confirm"))
	requireLocalized(t, tab)

	// A wrong code first: the error is in Spanish too.
	tab.Type(t, "#totp-code", "000000")
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#message:not(:empty)")
	msg := tab.Text(t, "#message")
	require.NotEmpty(t, msg)
	require.NotContains(t, msg, "That code is not right")
	requireLocalized(t, tab)

	code, err := totp.GenerateCode(tab.Text(t, "#totp-secret"), time.Now())
	require.NoError(t, err)
	tab.Eval(t, `document.getElementById("totp-code").value = ""`, nil)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#backup-codes-saved")
	require.Equal(t, spanish("sign_up.backup.title"), tab.Text(t, "#backup-title"))
	require.Equal(t, spanish("sign_up.backup.saved"), tab.Text(t, "#backup-codes-saved"))
	require.Len(t, tabTexts(t, tab, "li.backup-code"), 10)
	requireLocalized(t, tab)
	tab.Screenshot(t, shotPath(t, "es-backup-codes.png"))
	user := shop.user(t, email)
	require.True(t, user.MFAEnabled)

	// The account center, in Spanish.
	tab.Click(t, "#backup-codes-saved")
	shop.waitAccount(t, tab)
	waitAccountCenter(t, tab)
	require.Equal(t, spanish("account.title", "tenant", "Shop"), tab.Text(t, "h1"))
	require.Contains(t, tabTexts(t, tab, "h2"), spanish("account.passkeys"))
	require.Contains(t, tabTexts(t, tab, "h2"), spanish("account.twoStep"))
	require.Contains(t, tabTexts(t, tab, "h2"), spanish("account.sessions"))
	requireLocalized(t, tab)
	requireNoStrayText(t, tab)
	tab.Screenshot(t, shotPath(t, "es-account.png"))

	// Add a second passkey from a laptop, rename it, remove it.
	phone.unplug(t)
	laptop := &passkeyDevice{opts: browser.AuthenticatorOptions{BackupEligible: true, BackedUp: true}}
	laptop.plugIn(t, tab)
	tab.Type(t, "#passkey-name", "Portátil")
	tab.Click(t, "#add-passkey")
	tabWaitText(t, tab, "#status", spanish("account.added"))
	creds := shop.credentials(t, user.ID)
	require.Len(t, creds, 2)
	second := storedCredential(t, creds, laptop.only(t).CredentialID)
	item := passkeyItem(second.ID)
	require.Equal(t, spanish("account.synced"), tab.Text(t, item+" .passkey-sync"))

	tab.Click(t, item+" .passkey-rename")
	tab.WaitVisible(t, item+" .rename-input")
	require.Equal(t, spanish("account.newName", "name", "Portátil"), tabLabel(t, tab, item+" .rename-input"))
	tab.Type(t, item+" .rename-input", " de casa\r")
	tabWaitText(t, tab, "#status", spanish("account.renamed"))
	require.Equal(t, "Portátil de casa", storedCredential(t, shop.credentials(t, user.ID), second.CredentialID).Name)

	tab.Click(t, item+" .passkey-remove")
	tab.WaitVisible(t, item+" .passkey-remove-confirm")
	require.Equal(t, spanish("account.removeConfirm", "name", "Portátil de casa"), tab.Text(t, item+" .remove-text"))
	require.Equal(t, spanish("account.removeYes"), tab.Text(t, item+" .passkey-remove-confirm"))
	tab.Screenshot(t, shotPath(t, "es-account-remove.png"))
	tab.Click(t, item+" .passkey-remove-confirm")
	tabWaitText(t, tab, "#status", spanish("account.removed"))
	require.Len(t, shop.credentials(t, user.ID), 1)
	requireLocalized(t, tab)

	// The switcher: Simplified Chinese, remembered on the next page.
	tab.Click(t, "#lang-zh-CN")
	waitAccountCenter(t, tab)
	zh := catalog.Locale("zh-CN", "")
	require.Equal(t, zh.T("account.title", "tenant", "Shop"), tab.Text(t, "h1"))
	requireLocalized(t, tab)
	tab.Screenshot(t, shotPath(t, "zh-account.png"))
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, zh.T("sign_in.title", "tenant", "Shop"), tab.Text(t, "h1"))

	requireOnlyOwnHost(t, shop.origin, ownRequests(tab.Requests()))
}
