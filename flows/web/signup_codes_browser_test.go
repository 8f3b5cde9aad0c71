package web_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/tenants"
)

// TestSignUpByCode_PasswordPasskeyThenTwoStepWithAnAuthenticatorApp: a
// person proves their email address by a code, chooses a password, creates
// the passkey offered, turns on 2-step verification with an authenticator
// app, sees the backup codes once and lands on the account page.
func TestSignUpByCode_PasswordPasskeyThenTwoStepWithAnAuthenticatorApp(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.Passkeys.Autofill = false
	})
	const email = "ada@example.com"
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	tab.Navigate(t, acme.url("/sign-up"))
	var labelled bool
	tab.Eval(t, `[...document.querySelectorAll("input")].every((i) => i.labels.length > 0 && i.labels[0].textContent.trim() !== "")`, &labelled)
	require.True(t, labelled, "every field of the page has a label")
	tab.Screenshot(t, browser.ShotPath(t, "sign-up-form.png"))
	acme.signUpByEmailCode(t, tab, email)
	tab.WaitVisible(t, "#new-password")
	require.Equal(t, "Use at least 10 characters. A few unrelated words make a password that is long and easy to remember.", tab.Text(t, "#new-password-hint"))
	acme.requireNoUser(t, email)

	// A common password is refused with the server's reason.
	tab.Type(t, "#new-password", "qwertyuiop")
	tab.Click(t, "#password-submit")
	tab.WaitText(t, "#new-password-error", password.ErrCommon.Error())
	var focused string
	tab.Eval(t, `document.activeElement.id`, &focused)
	require.Equal(t, "new-password", focused, "the field at fault has the focus")
	acme.requireNoUser(t, email)

	const chosen = "correct horse battery staple"
	tab.Eval(t, `document.getElementById("new-password").value = ""`, nil)
	tab.Type(t, "#new-password", chosen)
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#prompt-create")
	require.Equal(t, "Create a passkey?", tab.Text(t, "#prompt-title"))
	user := acme.user(t, email)
	ok, _, err := password.Verify(chosen, user.PasswordHash)
	require.NoError(t, err)
	require.True(t, ok)
	s := acme.sessions(t, user.ID)
	require.Len(t, s, 1)
	require.Equal(t, "otp,pwd", s[0].AMR)
	tab.Screenshot(t, browser.ShotPath(t, "sign-up-passkey-prompt.png"))

	tab.Click(t, "#prompt-create")
	tab.WaitVisible(t, "#two-step-enable")
	require.Equal(t, "Turn on 2-step verification", tab.Text(t, "#two-step-title"))
	require.True(t, tab.Shows(t, "#two-step-skip"))
	require.Len(t, acme.credentials(t, user.ID), 1)
	require.Equal(t, []byte(phone.only(t).CredentialID), acme.credentials(t, user.ID)[0].CredentialID)
	require.False(t, acme.user(t, email).MFAEnabled, "the passkey alone does not turn 2-step verification on")

	tab.Click(t, "#two-step-enable")
	tab.WaitVisible(t, "#totp-qr")
	var loaded bool
	tab.Eval(t, `new Promise((resolve) => { const i = document.getElementById("totp-qr"); const ok = () => resolve(i.naturalWidth > 0); i.complete ? ok() : i.addEventListener("load", ok); })`, &loaded)
	require.True(t, loaded, "the QR code is an image that decodes")
	secret := tab.Text(t, "#totp-secret")
	require.NotEmpty(t, secret)
	require.False(t, acme.user(t, email).MFAEnabled)
	code, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#backup-codes-saved")
	codes := tab.Texts(t, "li.backup-code")
	require.Len(t, codes, 10)
	user = acme.user(t, email)
	require.True(t, user.MFAEnabled)
	unused, err := acme.scope().BackupCodes().Unused(t.Context(), user.ID)
	require.NoError(t, err)
	hashes := make([][]byte, len(unused))
	for i, u := range unused {
		hashes[i] = u.CodeHash
	}
	for _, c := range codes {
		_, ok := backupcode.Match(c, hashes)
		require.True(t, ok, "shown code %s is stored", c)
	}

	tab.Click(t, "#backup-codes-saved")
	acme.waitAccount(t, tab)
	requireSessionCookieHidden(t, tab)
	var own []string
	for _, u := range tab.Requests() {
		if !strings.HasPrefix(u, "data:") {
			own = append(own, u)
		}
	}
	requireOnlyOwnHost(t, acme.origin, own)
}

// TestSignUpByCode_SkippingThePasskeyPromptSignsInWithoutTheTwoStepPage: no
// passkey, so no "Turn on 2-step verification"; all done with the keyboard.
func TestSignUpByCode_SkippingThePasskeyPromptSignsInWithoutTheTwoStepPage(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) { s.Passkeys.Autofill = false })
	const email = "bob@example.com"
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	// By keyboard alone: Enter submits each form, Enter on a button
	// presses it.
	tab.Navigate(t, acme.url("/sign-up"))
	tab.Type(t, "#identifier", email+"\r")
	tab.WaitVisible(t, "#verify-code")
	var focused string
	tab.Eval(t, `document.activeElement.id`, &focused)
	require.Equal(t, "verify-title", focused, "the new screen's heading has the focus")
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, 0)+"\r")
	tab.WaitVisible(t, "#prompt-skip")
	tab.Type(t, "#prompt-skip", "\r")
	acme.waitAccount(t, tab)
	user := acme.user(t, email)
	require.False(t, user.MFAEnabled)
	require.Empty(t, acme.credentials(t, user.ID))
	s := acme.sessions(t, user.ID)
	require.Len(t, s, 1)
	require.Equal(t, "otp", s[0].AMR)
	calls := flowAPICalls(tab.Requests())
	require.Equal(t, []string{"/api/flows/sign-up", "/api/flows/sign-up/code.verify", "/api/flows/sign-up/passkey_prompt.skip"}, calls)
	require.False(t, slices.ContainsFunc(calls, func(c string) bool { return strings.Contains(c, "two_step") }))
}

// TestSignUpByCode_AMandatoryPolicyRequiresBindingAnSMSPhoneWithNoSkip: the
// account goes straight to setting up 2-step verification, with no way
// past it; the phone is proved by a text message.
func TestSignUpByCode_AMandatoryPolicyRequiresBindingAnSMSPhoneWithNoSkip(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.MFA.Policy = tenants.MFAMandatory
		s.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
		s.SignUp.PasskeyPrompt = false
		s.Passkeys.Autofill = false
	})
	const email = "cy@example.com"
	const mobile = "+15555550142"
	tab := browser.New(t).NewTab(t)

	acme.signUpByEmailCode(t, tab, email)
	tab.WaitVisible(t, "#choose-sms")
	require.Equal(t, "Set up 2-step verification", tab.Text(t, "#mfa-title"))
	require.True(t, tab.Shows(t, "#mfa-required"))
	require.True(t, tab.Shows(t, "#choose-totp"))
	for _, skip := range []string{"#two-step-skip", "#mfa-later", "#mfa-finish", "#prompt-skip"} {
		require.False(t, tab.Shows(t, skip), "%s offers a way past", skip)
	}
	user := acme.user(t, email)
	require.False(t, user.MFAEnabled)
	tab.Screenshot(t, browser.ShotPath(t, "sign-up-mfa-required.png"))

	tab.Click(t, "#choose-sms")
	tab.WaitVisible(t, "#sms-phone")
	// A number without its country code is refused with what to do.
	tab.Type(t, "#sms-phone", "555 0142")
	tab.Click(t, "#sms-send")
	tab.WaitText(t, "#sms-phone-error", "Enter a mobile number in international form: + and the country code, then the number, such as +44 7700 900123.")
	tab.Eval(t, `document.getElementById("sms-phone").value = ""`, nil)
	tab.Type(t, "#sms-phone", "+1 555 555 0142")
	tab.Click(t, "#sms-send")
	tab.WaitVisible(t, "#sms-code")
	require.Equal(t, "We sent a code to "+mobile+". It works for 10 minutes.", tab.Text(t, "#sms-sent"))
	tab.Type(t, "#sms-code", flowtest.CodeTo(t, acme.outbox, mobile, 0))
	tab.Click(t, "#sms-verify")

	tab.WaitVisible(t, "#mfa-finish")
	require.True(t, tab.Shows(t, "#mfa-bound"))
	user = acme.user(t, email)
	require.True(t, user.MFAEnabled)
	f, err := acme.scope().SMSFactors().Get(t.Context(), user.ID)
	require.NoError(t, err)
	require.Equal(t, mobile, f.Phone)

	tab.Click(t, "#mfa-finish")
	tab.WaitVisible(t, "#backup-codes-saved")
	require.Len(t, tab.Texts(t, "li.backup-code"), 10)
	tab.Click(t, "#backup-codes-saved")
	acme.waitAccount(t, tab)
	s := acme.sessions(t, user.ID)
	require.Len(t, s, 1)
	_, err = acme.scope().TOTP().Get(t.Context(), user.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	requireOnlyOwnHost(t, acme.origin, tab.Requests())
}
