package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// These tests walk the second factor of a password sign-in in the hosted
// page: the passkey offered first, and "Try another method to verify"
// leading to the authenticator app, an SMS code and a backup code.

const (
	mfaPassword    = "correct horse battery staple"
	mfaTOTPSecret  = "JBSWY3DPEHPK3PXPJBSWY3DP"
	mfaPhone       = "+14155550123"
	mfaPhoneMasked = "+1 ••• ••• 0123"
	textWrongCode  = "That code is not right or was already used. Enter a new code, or try another method to verify."
)

// mfaSite is a tenant whose users may use every second factor, and one of
// them, ada, with a passkey on the tab's device, a password, 2-step
// verification on, an authenticator app, an SMS factor and backup codes.
type mfaSite struct {
	*hostedSite
	tab    *browser.Tab
	device *passkeyDevice
	outbox *delivery.Outbox
	userID uuid.UUID
	backup []string
}

// newMFASite starts a server whose code jobs deliver to an outbox, with
// autofill off (it would sign in by itself), and makes ada: her passkey
// through the sign-up page, the rest in the database.
func newMFASite(t *testing.T) *mfaSite {
	t.Helper()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	// Emails (the code that proves ada's address at sign-up) go to their
	// own outbox: outbox holds only what the sign-ins under test send.
	mail := delivery.NewOutbox(delivery.OutboxConfig{})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: mail}})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.mail = mail
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	next := acme.tenant.Settings
	next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
	tn, err := srv.Tenants.UpdateSettings(t.Context(), acme.tenant, next, true)
	require.NoError(t, err)
	acme.tenant = tn

	tab := browser.New(t).NewTab(t)
	device := &passkeyDevice{}
	device.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	acme.signOut(t, tab)
	user := acme.user(t, adaEmail)
	require.Len(t, acme.credentials(t, user.ID), 1)

	ctx := t.Context()
	scope := acme.scope()
	hash, err := password.Hash(mfaPassword)
	require.NoError(t, err)
	require.NoError(t, scope.Users().SetPassword(ctx, user.ID, hash))
	require.NoError(t, scope.TOTP().Start(ctx, user.ID, mfaTOTPSecret, time.Now()))
	require.NoError(t, scope.TOTP().Accept(ctx, user.ID, 1, time.Now()))
	require.NoError(t, scope.SMSFactors().Set(ctx, user.ID, mfaPhone, time.Now()))
	codes, hashes, err := backupcode.Generate(backupcode.MinCount)
	require.NoError(t, err)
	require.NoError(t, scope.BackupCodes().Replace(ctx, user.ID, hashes, time.Now()))
	require.NoError(t, scope.Users().SetMFA(ctx, user.ID, true))
	require.Empty(t, acme.sessions(t, user.ID))
	return &mfaSite{hostedSite: acme, tab: tab, device: device, outbox: outbox, userID: user.ID, backup: codes}
}

// passwordIntoMFA signs ada in with her password, as a person without her
// passkey at hand does: the passkey prompt that follows the email fails
// (the device refuses the biometric check), she picks "Try another way",
// then "Password". It waits for the second factor and leaves the device
// answering again.
func (s *mfaSite) passwordIntoMFA(t *testing.T) {
	t.Helper()
	tab := s.tab
	tab.Navigate(t, s.url("/"))
	s.device.auth.SetUserVerified(t, false)
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitText(t, "#message", textCancelled)
	s.device.auth.SetUserVerified(t, true)
	tab.Click(t, "#other-method")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", mfaPassword)
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#mfa")
	require.Equal(t, "2-step verification", tab.Text(t, "#mfa-title"))
	require.Empty(t, s.sessions(t, s.userID), "no session before the second factor")
}

// requirePasskeyOfferedFirst checks that the second factor starts with the
// passkey, the others one click away.
func (s *mfaSite) requirePasskeyOfferedFirst(t *testing.T) {
	t.Helper()
	tab := s.tab
	tab.WaitVisible(t, "#mfa-passkey-button")
	for _, other := range []string{"#mfa-totp", "#mfa-sms", "#mfa-backup", "#mfa-choices"} {
		require.False(t, tab.Shows(t, other), "%s shows before the person asks for another method", other)
	}
	require.True(t, tab.Shows(t, "#mfa-other"))
	require.Equal(t, "Try another method to verify", tab.Text(t, "#mfa-other"))
}

// chooseOther opens "Try another method to verify" and picks factor.
func (s *mfaSite) chooseOther(t *testing.T, factor string) {
	t.Helper()
	s.tab.Click(t, "#mfa-other")
	s.tab.WaitVisible(t, `#mfa-choices button[data-factor="`+factor+`"]`)
	s.tab.Click(t, `#mfa-choices button[data-factor="`+factor+`"]`)
}

// requireSession checks that ada has exactly one session, with amr.
func (s *mfaSite) requireSession(t *testing.T, amr string) {
	t.Helper()
	sessions := s.sessions(t, s.userID)
	require.Len(t, sessions, 1)
	require.Equal(t, amr, sessions[0].AMR)
}

// requireQuietConsole checks that the only console errors are the
// browser's notes on refused requests (a wrong code: 401).
func requireQuietConsole(t *testing.T, tab *browser.Tab, refused int) {
	t.Helper()
	errs := tab.ConsoleErrors()
	for _, e := range errs {
		require.Contains(t, e, "status of 401", e)
	}
	require.Len(t, errs, refused)
}

func TestMFAInThePage_PasswordThenThePasskeyOfferedFirst(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	before := s.credentials(t, s.userID)[0]

	s.passwordIntoMFA(t)
	s.requirePasskeyOfferedFirst(t)
	tab := s.tab
	tab.Screenshot(t, browser.ShotPath(t, "mfa-passkey.png"))
	tab.Click(t, "#mfa-passkey-button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,webauthn,mfa")
	requireUsed(t, s.hostedSite, s.userID, s.device, before)

	// With passkey sign-in turned off, the passkey is still the second
	// factor, and still offered first.
	s.set(t, func(p *tenants.Passkeys) { p.SignIn = false })
	s.signOut(t, tab)
	require.False(t, tab.Has(t, "#passkey-button"))
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	require.False(t, tab.Shows(t, "#verify-passkey"), "no passkey sign-in offered")
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", mfaPassword)
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#mfa")
	s.requirePasskeyOfferedFirst(t)
	require.Empty(t, s.sessions(t, s.userID))
	tab.Click(t, "#mfa-passkey-button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,webauthn,mfa")
	require.Empty(t, tab.ConsoleErrors())
	requireOnlyOwnHost(t, s.origin, tab.Requests())
}

func TestMFAInThePage_PasswordThenAnotherMethodTheAuthenticatorApp(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab

	s.passwordIntoMFA(t)
	s.requirePasskeyOfferedFirst(t)
	tab.Click(t, "#mfa-other")
	tab.WaitVisible(t, "#mfa-choices button")
	require.Equal(t, []string{"Authenticator app code", "SMS code to " + mfaPhoneMasked, "Backup code"}, tab.Texts(t, "#mfa-choices button"))
	var focused string
	tab.Eval(t, `document.activeElement.dataset.factor || ""`, &focused)
	require.Equal(t, "totp", focused, "the first choice has the keyboard focus")
	tab.Screenshot(t, browser.ShotPath(t, "mfa-choices.png"))
	tab.Click(t, `#mfa-choices button[data-factor="totp"]`)
	tab.WaitVisible(t, "#totp-code")
	require.False(t, tab.Shows(t, "#mfa-webauthn"))
	tab.Eval(t, `document.activeElement.id`, &focused)
	require.Equal(t, "totp-code", focused)
	require.Equal(t, "Code from your authenticator app", tab.Text(t, `label[for="totp-code"]`))

	tab.Type(t, "#totp-code", "000000")
	tab.Click(t, "#mfa-totp button")
	tab.WaitText(t, "#totp-code-error", textWrongCode)
	require.Empty(t, s.sessions(t, s.userID))

	code, err := totp.GenerateCode(mfaTOTPSecret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#mfa-totp button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,otp,mfa")
	requireQuietConsole(t, tab, 1)
}

func TestMFAInThePage_PasswordThenAnotherMethodAnSMSCode(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab

	s.passwordIntoMFA(t)
	s.requirePasskeyOfferedFirst(t)
	s.chooseOther(t, "sms")
	tab.WaitVisible(t, "#mfa-sms-send")
	require.Equal(t, "Send a code to "+mfaPhoneMasked, tab.Text(t, "#mfa-sms-send"))
	require.Equal(t, "We'll text a code to the phone number you set up for 2-step verification.", tab.Text(t, "#mfa-sms-intro"))
	require.False(t, tab.Shows(t, "#sms-code"), "the code field waits for the send")
	require.Empty(t, s.outbox.Messages(), "nothing is sent before the person asks")
	tab.Click(t, "#mfa-sms-send")
	tab.WaitVisible(t, "#sms-code")
	require.Equal(t, "We sent a code to "+mfaPhoneMasked+". It works for 10 minutes.", tab.Text(t, "#mfa-sms-sent"))
	require.False(t, tab.Shows(t, "#mfa-sms-send"))
	require.False(t, tab.Shows(t, "#mfa-sms-intro"))
	require.Equal(t, "Code from the text message", tab.Text(t, `label[for="sms-code"]`))
	var focused string
	tab.Eval(t, `document.activeElement.id`, &focused)
	require.Equal(t, "sms-code", focused)
	first := s.waitSMS(t, 1)
	tab.Screenshot(t, browser.ShotPath(t, "mfa-sms.png"))

	// A wrong code: the page says so, and nobody is signed in.
	tab.Type(t, "#sms-code", otherSixDigits(first))
	tab.Click(t, "#mfa-sms-submit")
	tab.WaitText(t, "#sms-code-error", textWrongCode)
	require.Empty(t, s.sessions(t, s.userID))

	// "Send a new code", once its cooldown has run: the newest code is
	// the one that counts.
	require.Positive(t, cooldown(t, tab, "#mfa-sms-resend"), "the resend waits first")
	tab.SetTimeout(flows.CodeResendWait+browser.DefaultTimeout).WaitVisible(t, "#mfa-sms-resend:not([disabled])")
	tab.SetTimeout(browser.DefaultTimeout)
	tab.Click(t, "#mfa-sms-resend")
	second := s.waitSMS(t, 2)
	tab.Type(t, "#sms-code", second)
	tab.Click(t, "#mfa-sms-submit")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,sms,mfa")

	// Every message went to the stored phone, and no page showed the
	// whole number.
	for _, m := range s.outbox.Messages() {
		require.Equal(t, mfaPhone, m.To)
	}
	requireQuietConsole(t, tab, 1)
	requireOnlyOwnHost(t, s.origin, tab.Requests())
}

// waitSMS waits until the outbox holds n messages and returns the code in
// the newest, checking on the way that the page never shows the whole
// number.
func (s *mfaSite) waitSMS(t *testing.T, n int) string {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		msgs := s.outbox.Messages()
		if len(msgs) < n {
			return false
		}
		body = msgs[0].Body // newest first
		return true
	}, 15*time.Second, 20*time.Millisecond, "no SMS delivered")
	code := regexp.MustCompile(`\b[0-9]{6}\b`).FindString(body)
	require.NotEmpty(t, code, body)
	var page string
	s.tab.Eval(t, `document.body.innerText`, &page)
	require.NotContains(t, page, strings.TrimPrefix(mfaPhone, "+1"))
	require.NotContains(t, page, code)
	return code
}

// otherSixDigits returns six digits that are not code.
func otherSixDigits(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestMFAInThePage_ABackupCodeWorksOnce(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab

	s.passwordIntoMFA(t)
	s.chooseOther(t, "backup_code")
	tab.WaitVisible(t, "#backup-code")
	require.Equal(t, "Backup code", tab.Text(t, `label[for="backup-code"]`))
	tab.Type(t, "#backup-code", s.backup[0])
	tab.Click(t, "#mfa-backup button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,backup_code,mfa")
	unused, err := s.scope().BackupCodes().Unused(t.Context(), s.userID)
	require.NoError(t, err)
	require.Len(t, unused, len(s.backup)-1)

	// The same code a second time is refused.
	s.signOut(t, tab)
	require.Empty(t, s.sessions(t, s.userID))
	s.passwordIntoMFA(t)
	s.chooseOther(t, "backup_code")
	tab.WaitVisible(t, "#backup-code")
	tab.Type(t, "#backup-code", s.backup[0])
	tab.Click(t, "#mfa-backup button")
	tab.WaitText(t, "#backup-code-error", textWrongCode)
	require.Empty(t, s.sessions(t, s.userID))
	require.Equal(t, s.url("/"), tab.Location(t))
	var focused string
	tab.Eval(t, `document.activeElement.id`, &focused)
	require.Equal(t, "backup-code", focused, "the field is ready for another code")

	// Another code still works.
	tab.Type(t, "#backup-code", s.backup[1])
	tab.Click(t, "#mfa-backup button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,backup_code,mfa")
	unused, err = s.scope().BackupCodes().Unused(t.Context(), s.userID)
	require.NoError(t, err)
	require.Len(t, unused, len(s.backup)-2)
	requireQuietConsole(t, tab, 1)
}

func TestMFAInThePage_APasskeySignInAsksForNoSecondFactor(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab
	before := s.credentials(t, s.userID)[0]

	tab.Navigate(t, s.url("/"))
	mark := len(tab.Requests())
	tab.Click(t, "#passkey-button")
	s.waitAccount(t, tab)
	s.requireSession(t, "webauthn")
	requireUsed(t, s.hostedSite, s.userID, s.device, before)
	require.Equal(t, []string{"/api/flows/sign-in", "/api/flows/sign-in/passkey.finish"}, flowAPICalls(tab.Requests()[mark:]),
		"no second-factor step")
	require.Empty(t, s.outbox.Messages())
	require.Len(t, s.mail.Messages(), 1, "only the sign-up's code")
	require.Empty(t, tab.ConsoleErrors())
}
