package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
)

// The journeys of JOURNEYS.md screen by screen (TestJourneyScreens_J*):
// at each screen the page shows that screen alone, with its own heading
// and its own primary action only (at); at each step a reload brings the
// same screen back (again). What a reload cannot resume is said where it
// happens: the passkey ceremony itself is the browser's prompt, not a
// screen of the page (Chromium's virtual authenticator answers it at
// once), and the account page a finished flow leads to is no step of it.

// headings are the headings of the hosted screens of the tenant "Acme",
// as a person reads them, by the screen's id.
var headings = map[string]string{
	// The sign-in page.
	"screen-identify": "Sign in to Acme",
	"verify-passkey":  "Use your passkey",
	"methods":         "Choose how to sign in",
	"screen-password": "Enter your password",
	"screen-code":     "Enter the code",
	"mfa":             "2-step verification",
	// The sign-up page.
	"sign-up-form":   "Create your Acme account",
	"verify-form":    "Check your messages",
	"password-form":  "Choose a password",
	"passkey-prompt": "Create a passkey?",
	"two-step":       "Turn on 2-step verification",
	"totp-setup":     "Set up your authenticator app",
	"backup-codes":   "Save your backup codes",
}

// at checks that the screen id is the one shown, with its own heading and
// primary as its one primary action ("" for none); focus as onScreen.
func at(t *testing.T, tab *browser.Tab, id, primary string, focus bool) {
	t.Helper()
	onScreen(t, tab, id, primary, focus)
	requireHeading(t, tab, id)
}

// again reloads the tab on the screen id and checks that the same screen
// comes back, with its heading, its primary action and the identifier
// (when not "") as text.
func again(t *testing.T, tab *browser.Tab, id, primary, identifier string) {
	t.Helper()
	reloadOn(t, tab, id, primary, identifier)
	requireHeading(t, tab, id)
}

// requireHeading checks the heading that labels the screen id.
func requireHeading(t *testing.T, tab *browser.Tab, id string) {
	t.Helper()
	want, ok := headings[id]
	require.True(t, ok, "no heading known for screen %s", id)
	label := tab.Attr(t, "#"+id, "aria-labelledby")
	require.NotEmpty(t, label, "screen %s names its heading", id)
	require.Equal(t, want, tab.Text(t, "#"+label), "the heading of screen %s", id)
}

// signInByPassword walks a password sign-in from the identifier to the
// password sent: when dev is given, the user's passkey screen comes first,
// its prompt refused by dev, and "Try another way" leads on. With reload,
// every screen on the way is reloaded once. It returns the methods the
// methods screen offered.
func signInByPassword(t *testing.T, tab *browser.Tab, site *hostedSite, dev *passkeyDevice, email, pw string, reload bool) []string {
	t.Helper()
	tab.Navigate(t, site.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	if reload {
		again(t, tab, "screen-identify", "continue", "")
	}
	if dev != nil {
		dev.auth.SetUserVerified(t, false)
	}
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	if dev != nil {
		tab.WaitText(t, "#message", textCancelled)
		at(t, tab, "verify-passkey", "verify-passkey-button", true)
		if reload {
			again(t, tab, "verify-passkey", "verify-passkey-button", email)
		}
		dev.auth.SetUserVerified(t, true)
		tab.Click(t, "#other-method")
	}
	at(t, tab, "methods", "", true)
	if reload {
		again(t, tab, "methods", "", email)
	}
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	methods := tab.Texts(t, "#method-list button")
	tab.Click(t, `#method-list button[data-method="password"]`)
	at(t, tab, "screen-password", "password-submit", true)
	if reload {
		again(t, tab, "screen-password", "password-submit", email)
	}
	tab.Type(t, "#password", pw)
	tab.Click(t, "#password-submit")
	return methods
}

// newPhoneUser creates a user of the tenant whose one identifier is the
// phone number (E.164), proved.
func (p *hostedSite) newPhoneUser(t *testing.T, phone string) *db.User {
	t.Helper()
	u := &db.User{WebAuthnHandle: []byte(phone), DisplayName: phone}
	proved := time.Now()
	require.NoError(t, p.scope().Users().Create(t.Context(), u, &db.Identifier{Kind: db.IdentifierPhone, Value: phone, VerifiedAt: &proved}))
	return u
}
