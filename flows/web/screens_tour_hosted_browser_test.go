package web_test

import (
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// tourSite is the tenant whose hosted screens the tour walks: sign-up by
// email code with a password, the authenticator app as second factor, on a
// clock the tour moves to let a flow expire.
type tourSite struct {
	*hostedSite
	clk *clock.Fake
}

func newTourSite(t *testing.T) *tourSite {
	t.Helper()
	clk := clock.NewFake(time.Now().UTC())
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Clock: clk})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk, Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	site := newHostedSite(t, srv, "acme", "Acme")
	site.mail = outbox
	site.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.Passkeys.Autofill = false
	})
	return &tourSite{hostedSite: site, clk: clk}
}

// tourHostedScreens walks the hosted screens a person meets: sign-up to
// the account center, then sign-in, then recovery, then an expired flow.
func tourHostedScreens(t *testing.T, tr *tour) {
	site := newTourSite(t)
	tab := browser.New(t).NewTab(t)
	tab.SetAcceptLanguage(t, tr.lang)
	tab.SetViewport(t, 390, 844, false)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	tourSignUp(t, tr, site, tab, "new@example.com")
	site.waitAccount(t, tab)
	tr.shot(t, tab, "account-center")
	site.signOut(t, tab)

	tourSignIn(t, tr, site, tab, phone)
	tourRecovery(t, tr, site, tab)
}

// tourSignUp signs up email by code, password, passkey and authenticator
// app, one screen at a time.
func tourSignUp(t *testing.T, tr *tour, site *tourSite, tab *browser.Tab, email string) {
	tab.Navigate(t, site.url("/sign-up"))
	onScreen(t, tab, "sign-up-form", "sign-up-continue", false)
	tr.shot(t, tab, "sign-up-1-form")
	tab.Click(t, "#sign-up-continue")
	tab.WaitVisible(t, "#identifier-error")
	tr.shot(t, tab, "sign-up-1-form-error")
	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(site.outbox(), email)
	tab.Click(t, "#sign-up-continue")
	onScreen(t, tab, "verify-form", "verify-submit", true)
	tr.shot(t, tab, "sign-up-2-code")
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, site.outbox(), email, before))
	tab.Click(t, "#verify-submit")
	onScreen(t, tab, "password-form", "password-submit", true)
	tr.shot(t, tab, "sign-up-3-password")
	tab.Type(t, "#new-password", "correct horse battery staple")
	tab.Click(t, "#password-submit")
	onScreen(t, tab, "passkey-prompt", "prompt-create", true)
	tr.shot(t, tab, "sign-up-4-passkey")
	tab.Click(t, "#prompt-create")
	onScreen(t, tab, "two-step", "two-step-enable", true)
	tr.shot(t, tab, "sign-up-5-two-step")
	tab.Click(t, "#two-step-enable")
	onScreen(t, tab, "totp-setup", "totp-confirm", true)
	require.Eventually(t, func() bool { return tab.Text(t, "#totp-secret") != "" }, 10*time.Second, 50*time.Millisecond)
	tr.shot(t, tab, "sign-up-6-authenticator")
	code, err := pqtotp.GenerateCode(tab.Text(t, "#totp-secret"), site.clk.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	onScreen(t, tab, "backup-codes", "backup-codes-saved", true)
	tr.shot(t, tab, "sign-up-7-backup-codes")
	tab.Click(t, "#backup-codes-saved")
}

// tourSignIn walks the sign-in screens: the identifier, the methods, the
// password (and its error), the second factor, the code, and the passkey
// screen whose prompt was cancelled.
func tourSignIn(t *testing.T, tr *tour, site *tourSite, tab *browser.Tab, phone *passkeyDevice) {
	const email, pw, secret = "two@example.com", "correct horse battery staple", "JBSWY3DPEHPK3PXPJBSWY3DP"
	u := site.newEmailUser(t, email, pw)
	require.NoError(t, site.scope().TOTP().Start(t.Context(), u.ID, secret, site.clk.Now()))
	require.NoError(t, site.scope().TOTP().Accept(t.Context(), u.ID, 1, site.clk.Now()))
	require.NoError(t, site.scope().Users().SetMFA(t.Context(), u.ID, true))
	site.newEmailUser(t, "code@example.com", "")

	onScreen(t, tab, "screen-identify", "continue", false)
	tr.shot(t, tab, "sign-in-1-identifier")
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "methods", "", true)
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tr.shot(t, tab, "sign-in-2-methods")
	tab.Click(t, `#method-list button[data-method="password"]`)
	onScreen(t, tab, "screen-password", "password-submit", true)
	tr.shot(t, tab, "sign-in-3-password")
	tab.Type(t, "#password", "not the password")
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#password-error")
	tr.shot(t, tab, "sign-in-3-password-error")
	tab.Type(t, "#password", pw)
	tab.Click(t, "#password-submit")
	onScreen(t, tab, "mfa", tr.words("sign_in.mfa.verify"), true)
	tr.shot(t, tab, "sign-in-4-second-factor")

	tab.Click(t, "#identity-change")
	onScreen(t, tab, "screen-identify", "continue", false)
	tab.Eval(t, `document.getElementById("identifier").value = ""`, nil)
	tab.Type(t, "#identifier", "code@example.com")
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="email_code"]`)
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	onScreen(t, tab, "screen-code", "code-submit", true)
	tr.shot(t, tab, "sign-in-5-code")

	phone.auth.SetUserVerified(t, false)
	tab.Click(t, "#identity-change")
	onScreen(t, tab, "screen-identify", "continue", false)
	tab.Eval(t, `document.getElementById("identifier").value = ""`, nil)
	tab.Type(t, "#identifier", "new@example.com")
	tab.Click(t, "#continue")
	onScreen(t, tab, "verify-passkey", "verify-passkey-button", true)
	tab.WaitVisible(t, "#message")
	tr.shot(t, tab, "sign-in-6-passkey-cancelled")
	phone.auth.SetUserVerified(t, true)
}

// tourRecovery walks "Lost your passkey?" to its second proof, then lets
// the flow expire.
func tourRecovery(t *testing.T, tr *tour, site *tourSite, tab *browser.Tab) {
	const email = "two@example.com"
	tab.Navigate(t, site.url("/recover"))
	onScreen(t, tab, "screen-identify", "continue", false)
	tr.shot(t, tab, "recovery-1-identifier")
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "screen-proof", "send-code", true)
	tr.shot(t, tab, "recovery-2-proof")
	before := flowtest.Sent(site.outbox(), email)
	tab.Click(t, "#send-code")
	onScreen(t, tab, "screen-code", "code-submit", true)
	tr.shot(t, tab, "recovery-3-code")
	tab.Type(t, "#code", flowtest.CodeTo(t, site.outbox(), email, before))
	tab.Click(t, "#code-submit")
	tab.WaitVisible(t, "#screen-mfa")
	tr.shot(t, tab, "recovery-4-second-proof")

	site.clk.Advance(recovery.TTL + time.Minute)
	tab.Reload(t)
	onScreen(t, tab, "screen-expired", "start-again", true)
	tr.shot(t, tab, "recovery-5-expired")
}
