package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// J8 screen by screen: alice@corp.example types her address → the methods
// screen offers only "Continue with Corp SSO" → the upstream's own
// screens, one task each → back signed in to a new SSO account. An SSO
// user's passkey is refused on the first screen, with the button to the
// organization's sign-in as the one way on.
func TestJourneyScreens_J8EnterpriseSSOUserOneScreenAtATime(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	up := newHostedSite(t, srv, "upstream", "Upstream")
	acme := newHostedSite(t, srv, "acme", "Acme")
	c := connectTo(t, up, acme, "Corp SSO", federation.KindEnterprise, "corp.example")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	up.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const alice = "alice@corp.example"
	up.newEmailUser(t, alice, upstreamPW)
	tab := browser.New(t).NewTab(t)

	tab.Navigate(t, acme.url("/"))
	onScreen(t, tab, "screen-identify", "continue", false)
	require.False(t, tab.Has(t, "button[data-connector]"), "an enterprise connector is no button for everyone")
	tab.Type(t, "#identifier", alice)
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	require.Equal(t, alice, tab.Text(t, "#identity-value"))
	require.Equal(t, []string{"Continue with Corp SSO"}, tab.Texts(t, "#method-list button"), "SSO is her one way in")
	require.False(t, tab.Shows(t, "#sign-up-link"))
	tab.Click(t, "#method-list button[data-connector]")

	// The organization's sign-in, screen by screen too.
	untilAt(t, tab, up.origin+"/?authRequest=")
	onScreen(t, tab, "screen-identify", "continue", false)
	tab.Type(t, "#identifier", alice)
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)
	tab.Type(t, "#password", upstreamPW)
	tab.Click(t, "#password-submit")

	// Back, signed in; the first time made her account.
	acme.waitAccount(t, tab)
	user := acme.user(t, alice)
	require.True(t, user.SSO)
	require.Len(t, linked(t, acme, user), 1)
	require.Len(t, acme.sessions(t, user.ID), 1)
	acme.signOut(t, tab)
	signOutUpstream(t, tab, up)

	// An SSO user's passkey: refused on the first screen, which then
	// offers her organization's sign-in and nothing else to press.
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, "al@example.com")
	al := acme.user(t, "al@example.com")
	require.NoError(t, acme.scope().Users().SetSSO(t.Context(), al.ID, true))
	require.NoError(t, federation.Link(t.Context(), acme.scope(), al.ID, c.ID, "al-subject", "", time.Now()))
	acme.signOut(t, tab)
	onScreen(t, tab, "screen-identify", "continue", false)
	tab.Click(t, "#passkey-button")
	tab.WaitText(t, "#message", textSSORefused+" Continue with Corp SSO")
	onScreen(t, tab, "screen-identify", "continue", false)
	require.Empty(t, acme.sessions(t, al.ID))
	tab.Click(t, "#message button[data-connector]")
	untilAt(t, tab, up.origin+"/?authRequest=")
	onScreen(t, tab, "screen-identify", "continue", false)
}

// J9 screen by screen: with the tenant's CAPTCHA on, the widget shows on
// the screens whose action it guards (the methods that send a code, the
// password, the code) and on no other; a password or a code sent without
// it is refused there; a passkey sign-in, by the button or identifier
// first, never shows it and never sends a token.
func TestJourneyScreens_J9CaptchaOnlyWhereAPasswordOrCodeIsSent(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	acme := &hostedSite{srv: s.srv, tenant: s.tn, origin: s.srv.URL("acme"), mail: s.srv.Outbox}
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email = "tick@example.com"
	user := acme.newEmailUser(t, email, captchaPassword)
	tab := browser.New(t).NewTab(t)
	tick := func() {
		tab.Click(t, "#captcha .fake-captcha-checkbox")
		tab.WaitVisible(t, `#captcha .fake-captcha-checkbox[data-solved="true"]`)
	}

	// The password.
	tab.Navigate(t, acme.url("/"))
	onScreen(t, tab, "screen-identify", "continue", false)
	require.True(t, tab.Shows(t, "#passkey-button"))
	require.False(t, tab.Shows(t, "#captcha"), "no CAPTCHA beside Continue with passkey")
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	tab.WaitVisible(t, "#captcha .fake-captcha-checkbox")
	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)
	require.True(t, tab.Shows(t, "#captcha .fake-captcha-checkbox"))
	tab.Type(t, "#password", captchaPassword)
	tab.Click(t, "#password-submit")
	tab.WaitText(t, "#message", "Complete the CAPTCHA and try again.")
	onScreen(t, tab, "screen-password", "password-submit", false)
	require.Empty(t, acme.sessions(t, user.ID))
	tick()
	tab.Click(t, "#password-submit")
	acme.waitAccount(t, tab)
	require.Equal(t, "pwd", acme.sessions(t, user.ID)[0].AMR)

	// A passkey, added now, for the passkey sign-ins below.
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	tab.Click(t, "#add-passkey")
	tab.WaitVisible(t, "li.passkey")
	acme.signOut(t, tab)

	// The code: sent from the methods screen, typed on the code screen.
	// The passkey screen comes first (its prompt refused here), without
	// the CAPTCHA.
	phone.auth.SetUserVerified(t, false)
	onScreen(t, tab, "screen-identify", "continue", false)
	require.False(t, tab.Shows(t, "#captcha"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "verify-passkey", "verify-passkey-button", true)
	tab.WaitText(t, "#message", textCancelled)
	require.False(t, tab.Shows(t, "#captcha"), "no CAPTCHA on the passkey screen")
	tab.Click(t, "#other-method")
	onScreen(t, tab, "methods", "", true)
	tab.WaitVisible(t, "#captcha .fake-captcha-checkbox")
	tick()
	before := flowtest.Sent(acme.outbox(), email)
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	onScreen(t, tab, "screen-code", "code-submit", true)
	require.True(t, tab.Shows(t, "#captcha .fake-captcha-checkbox"))
	tab.Type(t, "#code", flowtest.CodeTo(t, acme.outbox(), email, before))
	tab.Click(t, "#code-submit")
	tab.WaitText(t, "#message", "Complete the CAPTCHA and try again.")
	tick()
	tab.Click(t, "#code-submit")
	acme.waitAccount(t, tab)
	acme.signOut(t, tab)
	checked := len(s.fake.Requests())

	// A passkey: by the button, then identifier first. No CAPTCHA on any
	// screen on the way, and no token checked.
	phone.auth.SetUserVerified(t, true)
	onScreen(t, tab, "screen-identify", "continue", false)
	tab.Click(t, "#passkey-button")
	acme.waitAccount(t, tab)
	acme.signOut(t, tab)
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	acme.waitAccount(t, tab)
	require.Equal(t, checked, len(s.fake.Requests()), "a passkey sign-in sends no CAPTCHA token")
	ss := acme.sessions(t, user.ID)
	require.Equal(t, "webauthn", ss[len(ss)-1].AMR)
}
