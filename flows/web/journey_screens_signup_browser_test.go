package web_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// J1 screen by screen: the sign-in page → "Create account" → the email →
// its code → the passkey (the browser's prompt) → "Turn on 2-step
// verification", skipped → signed in. Signed out, "Continue with passkey"
// signs in with nothing typed and no second factor. Autofill is off:
// Chromium's virtual authenticator would answer its request on load and
// sign in before the button is pressed.
func TestJourneyScreens_J1SignUpWithAPasskeyThenTheButton(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	tab.Navigate(t, acme.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	require.True(t, tab.Shows(t, "#passkey-button"), "Continue with passkey, beside Continue")
	again(t, tab, "screen-identify", "continue", "")
	tab.Click(t, "#sign-up-link")
	at(t, tab, "sign-up-form", "sign-up-continue", false)
	require.True(t, tab.Shows(t, "#create-passkey"), "Create a passkey, beside Continue")
	again(t, tab, "sign-up-form", "sign-up-continue", "")

	tab.Type(t, "#identifier", adaEmail)
	before := flowtest.Sent(acme.outbox(), adaEmail)
	tab.Click(t, "#create-passkey")
	at(t, tab, "verify-form", "verify-submit", true)
	again(t, tab, "verify-form", "verify-submit", adaEmail)
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox(), adaEmail, before))
	tab.Click(t, "#verify-submit")

	// The passkey's prompt, then the account exists.
	at(t, tab, "two-step", "two-step-enable", true)
	user := acme.user(t, adaEmail)
	require.Len(t, acme.credentials(t, user.ID), 1)
	again(t, tab, "two-step", "two-step-enable", "")
	tab.Click(t, "#two-step-skip")
	acme.waitAccount(t, tab)
	requireWebAuthnSession(t, acme, user.ID)
	acme.signOut(t, tab)

	at(t, tab, "screen-identify", "continue", false)
	mark := len(tab.Requests())
	tab.Click(t, "#passkey-button")
	acme.waitAccount(t, tab)
	require.Equal(t, []string{"/api/flows/sign-in", "/api/flows/sign-in/passkey.finish"}, flowAPICalls(tab.Requests()[mark:]),
		"nothing typed, no second factor")
	requireWebAuthnSession(t, acme, user.ID)
	require.Empty(t, tab.ConsoleErrors())
}

// J4 screen by screen, under the user-controlled policy with the passkey
// prompt on: sign-up by email code and password, then
// a) "Create a passkey?" → create → "Turn on 2-step verification" →
// enable → the authenticator app → the backup codes; the next password
// sign-in asks for a second factor, the passkey first;
// b) the same up to "Turn on 2-step verification" → skip; the next
// password sign-in asks for none;
// c) "Create a passkey?" skipped: no 2-step page.
func TestJourneyScreens_J4SignUpPasskeyPromptAndTwoStep(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.Passkeys.Autofill = false
	})
	require.Equal(t, tenants.MFAUserControlled, acme.tenant.Settings.MFA.Policy)
	require.True(t, acme.tenant.Settings.SignUp.PasskeyPrompt)
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	j4TwoStepOn(t, acme, tab, phone, "on@example.com")
	j4TwoStepSkipped(t, acme, tab, phone, "off@example.com")

	// c) No passkey: no "Turn on 2-step verification".
	j4SignUpToPrompt(t, acme, tab, "none@example.com", false)
	tab.Click(t, "#prompt-skip")
	acme.waitAccount(t, tab)
	none := acme.user(t, "none@example.com")
	require.Empty(t, acme.credentials(t, none.ID))
	require.False(t, none.MFAEnabled)
}

const journeyPassword = "correct horse battery staple"

// j4SignUpToPrompt signs up email by its code and a password, each screen
// checked (and, with reload, reloaded), up to "Create a passkey?".
func j4SignUpToPrompt(t *testing.T, acme *codeSite, tab *browser.Tab, email string, reload bool) {
	t.Helper()
	tab.Navigate(t, acme.url("/sign-up"))
	at(t, tab, "sign-up-form", "sign-up-continue", false)
	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(acme.outbox, email)
	tab.Click(t, "#sign-up-continue")
	at(t, tab, "verify-form", "verify-submit", true)
	if reload {
		again(t, tab, "verify-form", "verify-submit", email)
	}
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, before))
	tab.Click(t, "#verify-submit")
	at(t, tab, "password-form", "password-submit", true)
	if reload {
		again(t, tab, "password-form", "password-submit", email)
	}
	tab.Type(t, "#new-password", journeyPassword)
	tab.Click(t, "#password-submit")
	at(t, tab, "passkey-prompt", "prompt-create", true)
	if reload {
		again(t, tab, "passkey-prompt", "prompt-create", "")
	}
}

// j4TwoStepOn is J4 a), then the next password sign-in: the second
// factor's screen offers the passkey first, and it signs in.
func j4TwoStepOn(t *testing.T, acme *codeSite, tab *browser.Tab, phone *passkeyDevice, email string) {
	t.Helper()
	j4SignUpToPrompt(t, acme, tab, email, true)
	tab.Click(t, "#prompt-create")
	at(t, tab, "two-step", "two-step-enable", true)
	tab.Click(t, "#two-step-enable")
	at(t, tab, "totp-setup", "totp-confirm", true)
	again(t, tab, "totp-setup", "totp-confirm", "")
	require.Eventually(t, func() bool { return tab.Text(t, "#totp-secret") != "" }, 10*time.Second, 50*time.Millisecond)
	require.True(t, tab.Shows(t, "#totp-qr"))
	code, err := totp.GenerateCode(tab.Text(t, "#totp-secret"), time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	at(t, tab, "backup-codes", "backup-codes-saved", true)
	codes := tab.Texts(t, "li.backup-code")
	require.Len(t, codes, 10)
	again(t, tab, "backup-codes", "backup-codes-saved", "")
	require.Equal(t, codes, tab.Texts(t, "li.backup-code"))
	tab.Click(t, "#backup-codes-saved")
	acme.waitAccount(t, tab)
	user := acme.user(t, email)
	require.True(t, user.MFAEnabled)
	acme.signOut(t, tab)

	signInByPassword(t, tab, acme.hostedSite, phone, email, journeyPassword, true)
	at(t, tab, "mfa", "mfa-passkey-button", true)
	again(t, tab, "mfa", "mfa-passkey-button", email)
	require.True(t, tab.Shows(t, "#mfa-other"), "the other factors, one click away")
	require.Empty(t, acme.sessions(t, user.ID))
	tab.Click(t, "#mfa-passkey-button")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, user.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd,webauthn,mfa", sessions[0].AMR)
	acme.signOut(t, tab)
}

// j4TwoStepSkipped is J4 b), then the next password sign-in: signed in
// with no second factor.
func j4TwoStepSkipped(t *testing.T, acme *codeSite, tab *browser.Tab, phone *passkeyDevice, email string) {
	t.Helper()
	j4SignUpToPrompt(t, acme, tab, email, false)
	tab.Click(t, "#prompt-create")
	at(t, tab, "two-step", "two-step-enable", true)
	again(t, tab, "two-step", "two-step-enable", "")
	tab.Click(t, "#two-step-skip")
	acme.waitAccount(t, tab)
	user := acme.user(t, email)
	require.False(t, user.MFAEnabled)
	require.Len(t, acme.credentials(t, user.ID), 1)
	acme.signOut(t, tab)

	signInByPassword(t, tab, acme.hostedSite, phone, email, journeyPassword, false)
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, user.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd", sessions[0].AMR)
	acme.signOut(t, tab)
}
