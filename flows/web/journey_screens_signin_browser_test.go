package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// J2 screen by screen, the button hidden by the tenant: a user with a
// passkey types the email and the passkey starts at once; its screen,
// when the prompt is refused, stays through a reload and asks again. A
// user without a passkey and an unknown email meet the same methods
// screen; a phone number is offered the SMS code.
func TestJourneyScreens_J2IdentifierFirst(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	ada := acme.user(t, adaEmail)
	acme.set(t, func(p *tenants.Passkeys) { p.ShowButton, p.Autofill = false, false })
	acme.signOut(t, tab)

	at(t, tab, "screen-identify", "continue", false)
	require.False(t, tab.Has(t, "#passkey-button"))
	again(t, tab, "screen-identify", "continue", "")
	mark := len(tab.Requests())
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	acme.waitAccount(t, tab)
	require.Equal(t, []string{"/api/flows/sign-in", "/api/flows/sign-in/passkey.finish"}, flowAPICalls(tab.Requests()[mark:]),
		"Continue starts the passkey at once")
	requireWebAuthnSession(t, acme, ada.ID)
	acme.signOut(t, tab)

	phone.auth.SetUserVerified(t, false)
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitText(t, "#message", textCancelled)
	at(t, tab, "verify-passkey", "verify-passkey-button", true)
	again(t, tab, "verify-passkey", "verify-passkey-button", adaEmail)
	phone.auth.SetUserVerified(t, true)
	tab.Click(t, "#verify-passkey-button")
	acme.waitAccount(t, tab)
	requireWebAuthnSession(t, acme, ada.ID)
	acme.signOut(t, tab)

	// Without a passkey, known or not: the same screen, the same methods.
	const bob, nobody, carl = "bob@example.com", "nobody@example.com", "+14155550142"
	bobUser := acme.newEmailUser(t, bob, journeyPassword)
	acme.newPhoneUser(t, carl)
	emailMethods := []string{"Password", "Email verification code"}
	require.Equal(t, emailMethods, j2Methods(t, acme, tab, nobody))
	require.Equal(t, emailMethods, j2Methods(t, acme, tab, bob))
	require.Equal(t, []string{"Password", "SMS verification code"}, j2Methods(t, acme, tab, carl))
	acme.requireNoUser(t, nobody)

	// bob's password, from the methods screen.
	signInByPassword(t, tab, acme, nil, bob, journeyPassword, false)
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, bobUser.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd", sessions[0].AMR)
}

// j2Methods types identifier on a fresh sign-in page and returns the
// methods its methods screen offers, that screen reloaded once.
func j2Methods(t *testing.T, acme *hostedSite, tab *browser.Tab, identifier string) []string {
	t.Helper()
	tab.Navigate(t, acme.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	tab.Type(t, "#identifier", identifier)
	tab.Click(t, "#continue")
	at(t, tab, "methods", "", true)
	requireChooseHow(t, tab)
	again(t, tab, "methods", "", identifier)
	tab.WaitVisible(t, "#method-list button")
	require.Equal(t, "", tab.Text(t, "#message"))
	return tab.Texts(t, "#method-list button")
}

// J3 screen by screen, the tenant allowing the prompt and autofill: the
// identifier field takes passkeys (autocomplete "webauthn") and the page
// asks the browser for one as it loads. On a device without a passkey
// for the tenant the page stays on its first screen and says nothing,
// reload or not; with the phone that holds one, the reloaded page signs
// in. Chromium's virtual authenticator answers the conditional request
// without the focus and the choice a person makes in the field.
func TestJourneyScreens_J3Autofill(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	ada := acme.user(t, adaEmail)
	before := acme.credentials(t, ada.ID)[0]
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	acme.signOut(t, tab)
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = true })
	require.True(t, acme.tenant.Settings.Passkeys.SignIn)

	phone.unplug(t)
	laptop := &passkeyDevice{}
	laptop.plugIn(t, tab)
	mark := len(tab.Requests())
	tab.Navigate(t, acme.url("/"))
	tab.WaitRequest(t, mark, acme.url("/api/flows/sign-in"))
	tab.Settle(t)
	at(t, tab, "screen-identify", "continue", false)
	require.Equal(t, "username webauthn", tab.Attr(t, "#identifier", "autocomplete"))
	require.Equal(t, "", tab.Text(t, "#message"), "no passkey here: nothing to say")
	mark = len(tab.Requests())
	again(t, tab, "screen-identify", "continue", "")
	tab.WaitRequest(t, mark, acme.url("/api/flows/sign-in"))
	tab.Settle(t)
	at(t, tab, "screen-identify", "continue", false)
	require.Equal(t, "", tab.Text(t, "#message"))
	require.Empty(t, acme.sessions(t, ada.ID))

	laptop.unplug(t)
	phone.plugIn(t, tab)
	tab.Click(t, "#identifier")
	mark = len(tab.Requests())
	tab.Reload(t)
	acme.waitAccount(t, tab)
	require.Equal(t, []string{"/api/flows/sign-in", "/api/flows/sign-in/passkey.finish"}, flowAPICalls(tab.Requests()[mark:]))
	requireUsed(t, acme, ada.ID, phone, before)
	requireWebAuthnSession(t, acme, ada.ID)
}

// J10 screen by screen, by SMS: the phone number → the methods → the code
// screen (kept through a reload), the code delivered by the background
// job. Five wrong codes lock the code: the right one is then refused. A
// recipient gets three codes per ten minutes (flows.CodeSendsPerRecipient):
// the fourth send is refused on the methods screen; after the window a
// code comes again, and it has expired ten minutes later. A fresh code
// signs in. Then an email code, screen by screen.
func TestJourneyScreens_J10SMSAndEmailCodes(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Now().UTC())
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const phone = "+14155550123"
	user := acme.newPhoneUser(t, phone)
	tab := browser.New(t).NewTab(t)

	tab.Navigate(t, acme.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	tab.Type(t, "#identifier", phone)
	tab.Click(t, "#continue")
	first := j10Send(t, acme, tab, phone)
	again(t, tab, "screen-code", "code-submit", phone)
	for range flows.CodeMaxAttempts {
		j10Verify(t, tab, otherSixDigits(first), textWrongCode)
	}
	j10Verify(t, tab, first, "Too many wrong codes. Send a new code.")
	require.Empty(t, acme.sessions(t, user.ID))

	for range flows.CodeSendsPerRecipient - 1 {
		tab.Click(t, "#code-back")
		j10Send(t, acme, tab, phone)
	}
	tab.Click(t, "#code-back")
	at(t, tab, "methods", "", true)
	tab.Click(t, `#method-list button[data-method="sms_code"]`)
	tab.WaitText(t, "#message", "Too many codes were sent. Wait a few minutes and try again, or choose another way to sign in.")
	at(t, tab, "methods", "", false)
	again(t, tab, "methods", "", phone)

	clk.Advance(flows.CodeSendWindow + time.Second)
	late := j10Send(t, acme, tab, phone)
	clk.Advance(flows.CodeTTL + time.Second)
	j10Verify(t, tab, late, "That code has expired or was already used. Send a new code.")
	tab.Click(t, "#code-back")
	fresh := j10Send(t, acme, tab, phone)
	tab.Type(t, "#code", fresh)
	tab.Click(t, "#code-submit")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, user.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "sms", sessions[0].AMR)
	acme.signOut(t, tab)

	j10Email(t, acme, tab, "mail@example.com")
}

// j10Send picks the SMS code on the methods screen and returns the code
// the background job delivers to phone; the code screen shows.
func j10Send(t *testing.T, acme *hostedSite, tab *browser.Tab, phone string) string {
	t.Helper()
	at(t, tab, "methods", "", true)
	before := flowtest.Sent(acme.outbox(), phone)
	tab.Click(t, `#method-list button[data-method="sms_code"]`)
	at(t, tab, "screen-code", "code-submit", true)
	require.Contains(t, tab.Text(t, "#code-sent"), "We sent a code by SMS to ")
	return flowtest.CodeTo(t, acme.outbox(), phone, before)
}

// j10Verify types code on the code screen and waits for the error said
// next to the field; the code screen stays.
func j10Verify(t *testing.T, tab *browser.Tab, code, refusal string) {
	t.Helper()
	tab.Eval(t, `document.getElementById("code-error").textContent = ""`, nil)
	tab.Type(t, "#code", code)
	tab.Click(t, "#code-submit")
	tab.WaitText(t, "#code-error", refusal)
	onScreen(t, tab, "screen-code", "code-submit", false)
}

// j10Email signs a new user with the email address in by an email code,
// screen by screen, each reloaded once.
func j10Email(t *testing.T, acme *hostedSite, tab *browser.Tab, email string) {
	t.Helper()
	user := acme.newEmailUser(t, email, "")
	at(t, tab, "screen-identify", "continue", false)
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	at(t, tab, "methods", "", true)
	again(t, tab, "methods", "", email)
	before := flowtest.Sent(acme.outbox(), email)
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	at(t, tab, "screen-code", "code-submit", true)
	require.Equal(t, "We sent a code to "+email+". It works for 10 minutes.", tab.Text(t, "#code-sent"))
	again(t, tab, "screen-code", "code-submit", email)
	tab.Type(t, "#code", flowtest.CodeTo(t, acme.outbox(), email, before))
	tab.Click(t, "#code-submit")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, user.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "otp", sessions[0].AMR)
}
