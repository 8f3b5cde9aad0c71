package web_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// primaries returns the solid (primary) buttons the page shows, by id (or
// text when a button has none): each screen shows at most one.
func primaries(t *testing.T, tab *browser.Tab) []string {
	t.Helper()
	var out []string
	tab.Eval(t, `[...document.querySelectorAll("button")]
  .filter((b) => b.checkVisibility() && getComputedStyle(b).backgroundColor !== "rgba(0, 0, 0, 0)")
  .map((b) => b.id || b.textContent.trim())`, &out)
	return out
}

// onScreen waits for the screen section id, then checks that it is the
// only screen shown, that its primary action is the only one (want, or
// none when want is ""), and, when focus is set, that focus is on its
// heading.
func onScreen(t *testing.T, tab *browser.Tab, id, want string, focus bool) {
	t.Helper()
	tab.WaitVisible(t, "#"+id)
	// A step that stays on its screen (the SMS factor's "Send a code"
	// becoming "Verify") changes its controls when the server answers: wait
	// for the screen to settle on its primary action, then hold it.
	wanted := []string{want}
	if want == "" {
		wanted = nil
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !slices.Equal(primaries(t, tab), wanted) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, 1, countShown(t, tab, ".screen"), "one screen at a time (%s)", id)
	if want == "" {
		require.Empty(t, primaries(t, tab), "screen %s has no primary action", id)
	} else {
		require.Equal(t, []string{want}, primaries(t, tab), "screen %s", id)
	}
	if focus {
		require.Eventually(t, func() bool {
			return tab.FocusedID(t) == tab.Attr(t, "#"+id, "aria-labelledby")
		}, 5*time.Second, 20*time.Millisecond, "focus on %s's heading", id)
	}
}

func countShown(t *testing.T, tab *browser.Tab, selector string) int {
	t.Helper()
	var n int
	tab.Eval(t, `[...document.querySelectorAll(`+jsString(selector)+`)].filter((e) => e.checkVisibility()).length`, &n)
	return n
}

// reloadOn reloads the tab and waits for the same screen, with the same
// primary action, and the identifier still shown.
func reloadOn(t *testing.T, tab *browser.Tab, id, want, identifier string) {
	t.Helper()
	tab.Reload(t)
	onScreen(t, tab, id, want, false)
	if identifier != "" {
		require.Equal(t, identifier, tab.Text(t, "#identity-value"), "the identifier after a reload on %s", id)
		require.True(t, tab.Shows(t, "#identity-change"))
	}
}

// J5 without a passkey, screen by screen: identifier → methods → password
// → second factor, each screen with its own controls only, the identifier
// as text with "Change", "Create account" only on the first screen, and a
// reload at every step resuming on the same screen.
func TestSignInScreens_PasswordThenSecondFactorOneScreenAtATimeAndReloadResumes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email, pw, secret = "screens@example.com", "correct horse battery staple", "JBSWY3DPEHPK3PXPJBSWY3DP"
	u := acme.newEmailUser(t, email, pw)
	require.NoError(t, acme.scope().TOTP().Start(t.Context(), u.ID, secret, time.Now()))
	require.NoError(t, acme.scope().TOTP().Accept(t.Context(), u.ID, 1, time.Now()))
	require.NoError(t, acme.scope().Users().SetMFA(t.Context(), u.ID, true))

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	onScreen(t, tab, "screen-identify", "continue", false)
	require.True(t, tab.Shows(t, "#sign-up-link"))
	require.False(t, tab.Shows(t, "#identity"))

	// An empty identifier: the error is next to the field and announced.
	tab.Click(t, "#continue")
	tab.WaitText(t, "#identifier-error", "Enter your email, phone number or username.")
	require.Equal(t, "true", tab.Attr(t, "#identifier", "aria-invalid"))
	require.Contains(t, tab.Attr(t, "#identifier", "aria-describedby"), "identifier-error")
	require.Equal(t, "polite", tab.Attr(t, "#identifier-error", "aria-live"))

	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	require.Equal(t, email, tab.Text(t, "#identity-value"))
	require.False(t, tab.Shows(t, "#sign-up-link"), "Create account only on the first screen")
	require.False(t, tab.Shows(t, "#identifier"), "the identifier is text now, not a field")
	requireChooseHow(t, tab)
	reloadOn(t, tab, "methods", "", email)
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)

	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)
	reloadOn(t, tab, "screen-password", "password-submit", email)
	// Back leads to the methods, and on again.
	tab.Click(t, "#password-back")
	onScreen(t, tab, "methods", "", true)
	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)

	tab.Type(t, "#password", "wrong password here")
	tab.Click(t, "#password-submit")
	tab.WaitText(t, "#password-error", "The account or password is not right. Check them and try again, or choose another way to sign in.")
	require.Equal(t, "", tab.Text(t, "#message"))
	tab.Type(t, "#password", pw)
	tab.Click(t, "#password-submit")
	onScreen(t, tab, "mfa", "Verify", true)
	require.True(t, tab.Shows(t, "#totp-code"))
	require.False(t, tab.Shows(t, "#sign-up-link"), "no Create account on the 2-step screen")
	require.Empty(t, acme.sessions(t, u.ID))
	reloadOn(t, tab, "mfa", "Verify", email)
	require.True(t, tab.Shows(t, "#totp-code"))

	require.False(t, tab.Shows(t, "#mfa-other"), "one factor: no other to offer")

	code, err := pqtotp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#mfa-totp button")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, u.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd,otp,mfa", sessions[0].AMR)
	var kept string
	tab.Eval(t, `sessionStorage.getItem("sesame.sign-in") || ""`, &kept)
	require.Empty(t, kept, "a finished sign-in leaves nothing in the tab")
}

// "Change" brings the identifier back as a field; a new identifier goes on
// in the same flow.
func TestSignInScreens_ChangeTheIdentifier(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	acme.newEmailUser(t, "first@example.com", "correct horse battery staple")
	second := acme.newEmailUser(t, "second@example.com", "correct horse battery staple")

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.Type(t, "#identifier", "first@example.com")
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	// Another language mid-flow: the same screen, in that language.
	tab.Click(t, "#lang-es")
	tab.WaitVisible(t, `html[lang="es"] #methods`)
	onScreen(t, tab, "methods", "", false)
	require.Equal(t, "first@example.com", tab.Text(t, "#identity-value"))
	require.Equal(t, "Cambiar", tab.Text(t, "#identity-change"))
	tab.Click(t, "#lang-en")
	tab.WaitVisible(t, `html[lang="en"] #methods`)
	tab.Click(t, "#identity-change")
	onScreen(t, tab, "screen-identify", "continue", false)
	require.Equal(t, "identifier", tab.FocusedID(t))
	var value string
	tab.Eval(t, `document.getElementById("identifier").value`, &value)
	require.Equal(t, "first@example.com", value)
	tab.Eval(t, `document.getElementById("identifier").value = ""`, nil)
	tab.Type(t, "#identifier", "second@example.com")
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	require.Equal(t, "second@example.com", tab.Text(t, "#identity-value"))
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", "correct horse battery staple")
	tab.Click(t, "#password-submit")
	acme.waitAccount(t, tab)
	require.Len(t, acme.sessions(t, second.ID), 1)
}

// An expired flow shows one "Start again", with no stale form under it,
// whether the page finds out on a reload or on a step; starting again
// keeps the identifier.
func TestSignInScreens_ExpiredFlowStartsAgainKeepingTheIdentifier(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Now().UTC())
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email, pw = "late@example.com", "correct horse battery staple"
	u := acme.newEmailUser(t, email, pw)

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)

	// Found on a reload.
	clk.Advance(31 * time.Minute)
	tab.Reload(t)
	onScreen(t, tab, "screen-expired", "start-again", true)
	require.False(t, tab.Shows(t, "#password"), "no stale form")
	require.False(t, tab.Shows(t, "#identifier"))
	require.Equal(t, email, tab.Text(t, "#identity-value"))
	reloadOn(t, tab, "screen-expired", "start-again", email)
	tab.Click(t, "#start-again")
	onScreen(t, tab, "methods", "", true)
	require.Equal(t, email, tab.Text(t, "#identity-value"))

	// Found on a step.
	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)
	tab.Type(t, "#password", pw)
	clk.Advance(31 * time.Minute)
	tab.Click(t, "#password-submit")
	onScreen(t, tab, "screen-expired", "start-again", true)
	require.False(t, tab.Shows(t, "#password"))
	require.Empty(t, acme.sessions(t, u.ID))

	tab.Click(t, "#start-again")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", pw)
	tab.Click(t, "#password-submit")
	acme.waitAccount(t, tab)
	require.Len(t, acme.sessions(t, u.ID), 1)
}

// J10 on the page: the code screen counts the resend cooldown down on
// "Send a new code", through a reload, and the code signs in.
func TestSignInScreens_CodeScreenResendCooldownSurvivesReload(t *testing.T) {
	t.Parallel()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.mail = outbox
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email = "resend@example.com"
	u := acme.newEmailUser(t, email, "")

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="email_code"]`)
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	onScreen(t, tab, "screen-code", "code-submit", true)
	require.Equal(t, "We sent a code to "+email+". It works for 10 minutes.", tab.Text(t, "#code-sent"))

	left := cooldown(t, tab, "#code-resend")
	require.Greater(t, left, 20)
	require.LessOrEqual(t, left, 30)
	require.Equal(t, "Send a new code in "+strconv.Itoa(left)+" s", tab.Text(t, "#code-resend"))
	var disabled bool
	tab.Eval(t, `document.getElementById("code-resend").disabled`, &disabled)
	require.True(t, disabled, "no resend during the cooldown")
	require.Eventually(t, func() bool { return cooldown(t, tab, "#code-resend") < left }, 5*time.Second, 100*time.Millisecond, "the seconds count down")

	reloadOn(t, tab, "screen-code", "code-submit", email)
	after := cooldown(t, tab, "#code-resend")
	require.Positive(t, after, "the cooldown goes on after a reload")
	require.LessOrEqual(t, after, left)
	require.Equal(t, "We sent a code to "+email+". It works for 10 minutes.", tab.Text(t, "#code-sent"))

	tab.Type(t, "#code", flowtest.CodeTo(t, outbox, email, 0))
	tab.Click(t, "#code-submit")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, u.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "otp", sessions[0].AMR)
}

// cooldown reads the seconds "Send a new code" still waits (0 when ready).
func cooldown(t *testing.T, tab *browser.Tab, selector string) int {
	t.Helper()
	var n int
	tab.Eval(t, `Number(document.querySelector(`+jsString(selector)+`).dataset.cooldown || 0)`, &n)
	return n
}

// J2 screen by screen: the passkey screen (its prompt refused once), "Try
// another way" to the methods and Back, a reload on the passkey screen,
// then the passkey signs in.
func TestSignInScreens_PasskeyScreenTryAnotherWayBackAndReload(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	user := acme.user(t, adaEmail)
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	acme.signOut(t, tab)

	phone.auth.SetUserVerified(t, false)
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	onScreen(t, tab, "verify-passkey", "verify-passkey-button", true)
	tab.WaitText(t, "#message", textCancelled)
	require.Equal(t, adaEmail, tab.Text(t, "#identity-value"))
	reloadOn(t, tab, "verify-passkey", "verify-passkey-button", adaEmail)

	tab.Click(t, "#other-method")
	onScreen(t, tab, "methods", "", true)
	tab.Click(t, "#methods-back")
	onScreen(t, tab, "verify-passkey", "verify-passkey-button", true)

	phone.auth.SetUserVerified(t, true)
	tab.Click(t, "#verify-passkey-button")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, user.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "webauthn", sessions[0].AMR)
}

// A finish answer that names where to go (a "redirect" field, as the
// provider's answer to a sign-in for an application may) is followed;
// without one the page goes on as before.
func TestSignInScreens_FollowsARedirectInTheFinishAnswer(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email, pw = "away@example.com", "correct horse battery staple"
	acme.newEmailUser(t, email, pw)

	tab := browser.New(t).NewTab(t)
	// The server's answer to the password step, with a redirect added.
	tab.RunBeforePageScripts(t, `{
  const real = window.fetch;
  window.fetch = async (input, init) => {
    const res = await real(input, init);
    if (!String(input).endsWith("/api/flows/sign-in/password") || !res.ok) return res;
    const body = await res.json();
    body.redirect = "/account?followed=1";
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  };
}`)
	tab.Navigate(t, acme.url("/"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", pw)
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#user-name")
	require.Equal(t, acme.url("/account?followed=1"), tab.Location(t))
}
