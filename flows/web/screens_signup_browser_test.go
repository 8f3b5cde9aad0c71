package web_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
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

// J4 on the sign-up page, screen by screen: the form, the code (with its
// resend cooldown), the password, "Create a passkey?", "Turn on 2-step
// verification", the authenticator app and the backup codes; each screen
// with one primary action, the identifier as text until the account
// exists, "Sign in" only on the form, and a reload at every step resuming
// on the same screen.
func TestSignUpScreens_CodePasswordPromptTwoStepOneScreenAtATimeAndReloadResumes(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.Passkeys.Autofill = false
	})
	const email = "steps@example.com"
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	tab.Navigate(t, acme.url("/sign-up"))
	onScreen(t, tab, "sign-up-form", "sign-up-continue", false)
	require.True(t, tab.Shows(t, "#sign-in-footer"))
	tab.Click(t, "#sign-up-continue")
	tab.WaitText(t, "#identifier-error", "Enter your email address.")
	require.Equal(t, "true", tab.Attr(t, "#identifier", "aria-invalid"))

	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(acme.outbox, email)
	tab.Click(t, "#sign-up-continue")
	onScreen(t, tab, "verify-form", "verify-submit", true)
	require.Equal(t, email, tab.Text(t, "#identity-value"))
	require.False(t, tab.Shows(t, "#sign-in-footer"))
	left := cooldown(t, tab, "#verify-resend")
	require.Positive(t, left, "Send a new code waits")
	reloadOn(t, tab, "verify-form", "verify-submit", email)
	require.Positive(t, cooldown(t, tab, "#verify-resend"))
	require.Equal(t, "We sent a code in an email to "+email+". It works for 10 minutes.", tab.Text(t, "#verify-sent"))
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, before))
	tab.Click(t, "#verify-submit")

	onScreen(t, tab, "password-form", "password-submit", true)
	reloadOn(t, tab, "password-form", "password-submit", email)
	tab.Type(t, "#new-password", "correct horse battery staple")
	tab.Click(t, "#password-submit")

	onScreen(t, tab, "passkey-prompt", "prompt-create", true)
	require.False(t, tab.Shows(t, "#identity"), "the account exists: the identifier no longer changes")
	user := acme.user(t, email)
	reloadOn(t, tab, "passkey-prompt", "prompt-create", "")
	tab.Click(t, "#prompt-create")

	onScreen(t, tab, "two-step", "two-step-enable", true)
	reloadOn(t, tab, "two-step", "two-step-enable", "")
	require.Len(t, acme.credentials(t, user.ID), 1)
	tab.Click(t, "#two-step-enable")

	onScreen(t, tab, "totp-setup", "totp-confirm", true)
	reloadOn(t, tab, "totp-setup", "totp-confirm", "")
	tab.WaitVisible(t, "#totp-secret")
	require.Eventually(t, func() bool { return tab.Text(t, "#totp-secret") != "" }, 10*time.Second, 50*time.Millisecond)
	code, err := totp.GenerateCode(tab.Text(t, "#totp-secret"), time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")

	onScreen(t, tab, "backup-codes", "backup-codes-saved", true)
	codes := tab.Texts(t, "li.backup-code")
	require.Len(t, codes, 10)
	reloadOn(t, tab, "backup-codes", "backup-codes-saved", "")
	require.Equal(t, codes, tab.Texts(t, "li.backup-code"), "the same codes after a reload")
	tab.Click(t, "#backup-codes-saved")
	acme.waitAccount(t, tab)
	require.True(t, acme.user(t, email).MFAEnabled)
	var kept string
	tab.Eval(t, `sessionStorage.getItem("sesame.sign-up") || ""`, &kept)
	require.Empty(t, kept, "a finished sign-up leaves nothing in the tab")
}

// An expired sign-up flow shows one "Start again", which starts a new
// flow with what was typed: a new code to the same address.
func TestSignUpScreens_ExpiredFlowStartsAgainKeepingTheIdentifier(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Now().UTC())
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Clock: clk})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk, Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.mail = outbox
	const email = "again@example.com"
	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/sign-up"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#sign-up-continue")
	onScreen(t, tab, "verify-form", "verify-submit", true)

	clk.Advance(31 * time.Minute)
	tab.Reload(t)
	onScreen(t, tab, "screen-expired", "start-again", true)
	require.False(t, tab.Shows(t, "#verify-code"), "no stale form")
	before := flowtest.Sent(outbox, email)
	tab.Click(t, "#start-again")
	onScreen(t, tab, "verify-form", "verify-submit", true)
	require.Equal(t, email, tab.Text(t, "#identity-value"))
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, outbox, email, before))
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#prompt-create")
	acme.user(t, email)
}
