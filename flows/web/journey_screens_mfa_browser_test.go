package web_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// J5 screen by screen: ada (passkey, authenticator app, SMS, backup codes)
// signs in with her password. The second-factor screen offers the passkey
// first; "Try another method to verify" lists the app, the SMS code and a
// backup code, each of which signs in; the app's code and a backup code
// used once are refused the second time. The list of other methods is a
// disclosure of the screen, not a step: a reload shows the factor it was
// opened from.
func TestJourneyScreens_J5SecondFactorOneMethodAtATime(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab

	s.toSecondFactor(t, true)
	tab.Click(t, "#mfa-other")
	onScreen(t, tab, "mfa", "", false)
	requireHeading(t, tab, "mfa")
	require.Equal(t, []string{"Authenticator app code", "SMS code to " + mfaPhoneMasked, "Backup code"}, tab.Texts(t, "#mfa-choices button"))
	again(t, tab, "mfa", "mfa-passkey-button", adaEmail)
	used := s.j5App(t, "", true)
	s.signOut(t, tab)

	s.toSecondFactor(t, false)
	s.j5App(t, used, false)
	s.j5Backup(t, s.backup[0], true, true)
	s.signOut(t, tab)

	s.toSecondFactor(t, false)
	s.j5Backup(t, s.backup[0], false, false)
	s.j5SMS(t)
	s.signOut(t, tab)

	s.toSecondFactor(t, false)
	tab.Click(t, "#mfa-passkey-button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,webauthn,mfa")
}

// toSecondFactor signs ada in with her password (signInByPassword, the
// passkey screen first) and checks the second factor's screen: the passkey
// first, the others one click away.
func (s *mfaSite) toSecondFactor(t *testing.T, reload bool) {
	t.Helper()
	signInByPassword(t, s.tab, s.hostedSite, s.device, adaEmail, mfaPassword, reload)
	at(t, s.tab, "mfa", "mfa-passkey-button", true)
	if reload {
		again(t, s.tab, "mfa", "mfa-passkey-button", adaEmail)
	}
	s.requirePasskeyOfferedFirst(t)
	require.Empty(t, s.sessions(t, s.userID), "no session before the second factor")
}

// j5App picks the authenticator app and types code, or a new code when
// code is "": a new one signs in, and it returns it; an old one is
// refused and the screen stays.
func (s *mfaSite) j5App(t *testing.T, code string, reload bool) string {
	t.Helper()
	tab := s.tab
	s.chooseOther(t, "totp")
	onScreen(t, tab, "mfa", "Verify", false)
	if reload {
		again(t, tab, "mfa", "Verify", adaEmail)
	}
	require.True(t, tab.Shows(t, "#totp-code"))
	if code != "" {
		tab.Type(t, "#totp-code", code)
		tab.Click(t, "#mfa-totp button")
		tab.WaitText(t, "#totp-code-error", textWrongCode)
		onScreen(t, tab, "mfa", "Verify", false)
		require.Empty(t, s.sessions(t, s.userID))
		return code
	}
	code, err := totp.GenerateCode(mfaTOTPSecret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#mfa-totp button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,otp,mfa")
	return code
}

// j5Backup picks a backup code and types code: it signs in when works,
// else it is refused and the screen stays.
func (s *mfaSite) j5Backup(t *testing.T, code string, works, reload bool) {
	t.Helper()
	tab := s.tab
	s.chooseOther(t, "backup_code")
	onScreen(t, tab, "mfa", "Verify", false)
	if reload {
		again(t, tab, "mfa", "Verify", adaEmail)
	}
	require.True(t, tab.Shows(t, "#backup-code"))
	tab.Type(t, "#backup-code", code)
	tab.Click(t, "#mfa-backup button")
	if !works {
		tab.WaitText(t, "#backup-code-error", textWrongCode)
		onScreen(t, tab, "mfa", "Verify", false)
		require.Empty(t, s.sessions(t, s.userID))
		return
	}
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,backup_code,mfa")
}

// j5SMS picks the SMS code: "Send a code", then the code typed; each
// state reloaded once.
func (s *mfaSite) j5SMS(t *testing.T) {
	t.Helper()
	tab := s.tab
	s.chooseOther(t, "sms")
	onScreen(t, tab, "mfa", "mfa-sms-send", false)
	again(t, tab, "mfa", "mfa-sms-send", adaEmail)
	require.Empty(t, s.outbox.Messages(), "nothing is sent before the person asks")
	tab.Click(t, "#mfa-sms-send")
	onScreen(t, tab, "mfa", "mfa-sms-submit", false)
	code := s.waitSMS(t, 1)
	again(t, tab, "mfa", "mfa-sms-submit", adaEmail)
	require.True(t, tab.Shows(t, "#sms-code"))
	require.Positive(t, cooldown(t, tab, "#mfa-sms-resend"), "the resend still waits after a reload")
	tab.Type(t, "#sms-code", code)
	tab.Click(t, "#mfa-sms-submit")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,sms,mfa")
}

// J6 screen by screen: the same user signs in with "Continue with
// passkey", then identifier first; neither asks for a second factor.
func TestJourneyScreens_J6APasskeySignInSkipsTheSecondFactor(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab
	before := s.credentials(t, s.userID)[0]

	tab.Navigate(t, s.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	again(t, tab, "screen-identify", "continue", "")
	require.True(t, tab.Shows(t, "#passkey-button"))
	mark := len(tab.Requests())
	tab.Click(t, "#passkey-button")
	s.waitAccount(t, tab)
	passkeyOnly := []string{"/api/flows/sign-in", "/api/flows/sign-in/passkey.finish"}
	require.Equal(t, passkeyOnly, flowAPICalls(tab.Requests()[mark:]), "no second-factor step")
	s.requireSession(t, "webauthn")
	before = requireUsed(t, s.hostedSite, s.userID, s.device, before)
	s.signOut(t, tab)

	at(t, tab, "screen-identify", "continue", false)
	mark = len(tab.Requests())
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	s.waitAccount(t, tab)
	require.Equal(t, passkeyOnly, flowAPICalls(tab.Requests()[mark:]), "no second-factor step")
	s.requireSession(t, "webauthn")
	requireUsed(t, s.hostedSite, s.userID, s.device, before)
	require.Empty(t, tab.ConsoleErrors())
}

// J7 screen by screen: the administrator turns passkey sign-in off (its
// autofill setting left on). The first screen has no button and its field
// takes no passkey; identifier first goes to the methods, not to a passkey
// screen; the password leads to the second factor, where the same passkey
// is still offered first and signs in.
func TestJourneyScreens_J7PasskeySignInTurnedOffThePasskeyStaysTheSecondFactor(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := s.tab
	before := s.credentials(t, s.userID)[0]
	s.set(t, func(p *tenants.Passkeys) { p.SignIn, p.Autofill = false, true })

	mark := len(tab.Requests())
	tab.Navigate(t, s.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	require.False(t, tab.Has(t, "#passkey-button"))
	require.Equal(t, "username", tab.Attr(t, "#identifier", "autocomplete"))
	tab.Settle(t)
	require.Equal(t, []string(nil), flowAPICalls(tab.Requests()[mark:]), "no autofill request")

	methods := signInByPassword(t, tab, s.hostedSite, nil, adaEmail, mfaPassword, true)
	require.Equal(t, []string{"Password", "Email verification code"}, methods)
	at(t, tab, "mfa", "mfa-passkey-button", true)
	again(t, tab, "mfa", "mfa-passkey-button", adaEmail)
	s.requirePasskeyOfferedFirst(t)
	require.Empty(t, s.sessions(t, s.userID))
	tab.Click(t, "#mfa-passkey-button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,webauthn,mfa")
	requireUsed(t, s.hostedSite, s.userID, s.device, before)
}

// J12 screen by screen: a browser without WebAuthn (no
// PublicKeyCredential) sees no passkey option on any screen, and the
// same user signs in with password and authenticator app: the second
// factor starts with the app, and the other methods listed are the SMS
// code and a backup code.
func TestJourneyScreens_J12NoWebAuthnPasswordAndSecondFactor(t *testing.T) {
	t.Parallel()
	s := newMFASite(t)
	tab := browser.New(t).NewTab(t)
	tab.RunBeforePageScripts(t, "delete window.PublicKeyCredential;")

	tab.Navigate(t, s.url("/"))
	at(t, tab, "screen-identify", "continue", false)
	require.False(t, tab.Has(t, "#passkey-button"))
	require.False(t, tab.Shows(t, ".divider"))
	methods := signInByPassword(t, tab, s.hostedSite, nil, adaEmail, mfaPassword, true)
	require.Equal(t, []string{"Password", "Email verification code"}, methods)

	at(t, tab, "mfa", "Verify", true)
	require.True(t, tab.Shows(t, "#totp-code"))
	require.False(t, tab.Shows(t, "#mfa-webauthn"))
	again(t, tab, "mfa", "Verify", adaEmail)
	tab.Click(t, "#mfa-other")
	onScreen(t, tab, "mfa", "", false)
	require.Equal(t, []string{"SMS code to " + mfaPhoneMasked, "Backup code"}, tab.Texts(t, "#mfa-choices button"))
	tab.Click(t, "#mfa-choices-back")
	onScreen(t, tab, "mfa", "Verify", false)

	code, err := totp.GenerateCode(mfaTOTPSecret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#mfa-totp button")
	s.waitAccount(t, tab)
	s.requireSession(t, "pwd,otp,mfa")
	require.Empty(t, tab.ConsoleErrors())
}
