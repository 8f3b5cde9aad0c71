package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// These tests check where the account center says things (next to what
// they are about, in the flow of the page) and that what a person must
// keep (backup codes, the authenticator key) can be copied, downloaded and
// printed, on the account center and on the sign-up page.

// notePlace is where a message is: the ids of the section, factor and form
// around it, the passkey entry's data-id, and its CSS position (sticky or
// fixed would float over the page's text).
type notePlace struct {
	Section  string `json:"section"`
	Factor   string `json:"factor"`
	Form     string `json:"form"`
	Passkey  string `json:"passkey"`
	Position string `json:"position"`
}

// noteOf returns where the element sel is.
func noteOf(t *testing.T, tab *browser.Tab, sel string) notePlace {
	t.Helper()
	var p notePlace
	tab.Eval(t, `(() => { const el = document.querySelector(`+"`"+sel+"`"+`);
	  const id = (s, a) => { const c = el.closest(s); return c ? (c.getAttribute(a) || "") : ""; };
	  return { section: id("section", "id"), factor: id(".factor", "id"), form: id("form", "id"),
	    passkey: id("li.passkey", "data-id"), position: [el, el.closest("#notes")].filter(Boolean).map((e) => getComputedStyle(e).position).find((p) => p !== "static") || "static" };
	})()`, &p)
	return p
}

// keepRecorder replaces the clipboard, file downloads and printing in the
// tab with recorders (window.kept), so a test reads what each would do.
const keepRecorder = `(() => {
  window.kept = { clip: [], files: [], prints: [] };
  Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: async (s) => { window.kept.clip.push(s); } } });
  const blobs = new Map();
  const makeURL = URL.createObjectURL;
  URL.createObjectURL = (b) => { const u = makeURL.call(URL, b); blobs.set(u, b); return u; };
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) window.kept.files.push({ name: this.download, blob: blobs.get(this.href) });
  };
  window.print = () => {
    const el = document.querySelector(".print-this");
    window.kept.prints.push({ printing: document.body.classList.contains("printing-one"), id: el ? el.id : "" });
  };
})()`

type keptFile struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// keptFiles returns the files the page downloaded, with their text.
func keptFiles(t *testing.T, tab *browser.Tab) []keptFile {
	t.Helper()
	var files []keptFile
	tab.Eval(t, `Promise.all(window.kept.files.map(async (f) => ({ name: f.name, text: f.blob ? await f.blob.text() : "" })))`, &files)
	return files
}

func TestAccount_MessagesShowNextToWhatTheyAreAbout(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)
	cred := acme.credentials(t, user.ID)[0]
	item := passkeyItem(cred.ID)

	// A refused rename says so in the passkey's own entry, in the flow of
	// the page (not stuck over its text), announced as an alert.
	tab.Click(t, item+" .passkey-rename")
	tab.Type(t, item+" .rename-input", "\b\r")
	tab.WaitText(t, "#message", "Enter a name for the passkey.")
	p := noteOf(t, tab, "#message")
	require.Equal(t, cred.ID.String(), p.Passkey, "the message is in the passkey's entry")
	require.Equal(t, "passkeys-section", p.Section)
	require.Equal(t, "static", p.Position)
	require.Equal(t, "alert", tab.Attr(t, "#message", "role"))

	// The rename done: said in the same entry.
	tab.Type(t, item+" .rename-input", "Phone\r")
	tab.WaitText(t, "#status", textPasskeyRenamed)
	p = noteOf(t, tab, "#status")
	require.Equal(t, cred.ID.String(), p.Passkey)
	require.Equal(t, "", tab.Text(t, "#message"))

	// A wrong authenticator code: said in the authenticator's form, under
	// 2-step verification, not under the passkeys.
	tab.Click(t, "#totp-setup")
	tab.WaitVisible(t, "#totp-code")
	tab.Type(t, "#totp-code", "000000\r")
	tab.WaitText(t, "#message", "That code is not right. Check it and try again.")
	p = noteOf(t, tab, "#message")
	require.Equal(t, "two-step", p.Section)
	require.Equal(t, "totp-form", p.Form)
	require.Equal(t, "", p.Passkey)

	// Turning 2-step verification off: said in its section.
	tab.Click(t, "#totp-cancel")
	tab.Click(t, "#mfa-switch")
	tab.WaitText(t, "#status", "2-step verification turned on.")
	p = noteOf(t, tab, "#status")
	require.Equal(t, "two-step", p.Section)
	require.Equal(t, "static", p.Position)
}

func TestAccount_BackupCodesAndKeyCanBeCopiedDownloadedAndPrinted(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	tab.Eval(t, keepRecorder, nil)

	// The authenticator key: Copy.
	tab.Click(t, "#totp-setup")
	tab.WaitVisible(t, "#totp-secret-copy")
	secret := tab.Text(t, "#totp-secret")
	require.Equal(t, "Copy", tab.Text(t, "#totp-secret-copy"))
	tab.Click(t, "#totp-secret-copy")
	tab.WaitText(t, "#status", "Key copied.")
	require.Equal(t, "totp", noteOf(t, tab, "#status").Factor)
	var clip []string
	tab.Eval(t, `window.kept.clip`, &clip)
	require.Equal(t, []string{secret}, clip)

	// The backup codes, shown once: Copy, Download (.txt), Print.
	code, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code+"\r")
	tab.WaitVisible(t, "#backup-codes-saved")
	codes := tab.Texts(t, "li.backup-code")
	require.Len(t, codes, 10)
	require.Equal(t, "Copy", tab.Text(t, "#backup-codes-copy"))
	require.Equal(t, "Download (.txt)", tab.Text(t, "#backup-codes-download"))
	require.Equal(t, "Print", tab.Text(t, "#backup-codes-print"))
	tab.Screenshot(t, browser.ShotPath(t, "account-backup-codes-keep.png"))

	tab.Click(t, "#backup-codes-copy")
	tab.WaitText(t, "#status", "Backup codes copied.")
	require.Equal(t, "backup", noteOf(t, tab, "#status").Factor)
	tab.Eval(t, `window.kept.clip`, &clip)
	require.Len(t, clip, 2)
	want := "Backup codes for Acme. Each code works once.\n\n" + strings.Join(codes, "\n") + "\n"
	require.Equal(t, want, clip[1])

	tab.Click(t, "#backup-codes-download")
	files := keptFiles(t, tab)
	require.Equal(t, []keptFile{{Name: "backup-codes.txt", Text: want}}, files)

	tab.Click(t, "#backup-codes-print")
	var prints []struct {
		Printing bool   `json:"printing"`
		ID       string `json:"id"`
	}
	tab.Eval(t, `window.kept.prints`, &prints)
	require.Len(t, prints, 1)
	require.True(t, prints[0].Printing, "only a part of the page prints")
	require.Equal(t, "backup", prints[0].ID)
	var left bool
	tab.Eval(t, `document.body.classList.contains("printing-one") || !!document.querySelector(".print-this")`, &left)
	require.False(t, left, "the page is back as it was after printing")
}

func TestSignUp_TwoStepSetupKeyAndBackupCodesCanBeKept(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	tab.Navigate(t, acme.url("/sign-up"))
	tab.Eval(t, keepRecorder, nil)
	tab.Type(t, "#identifier", adaEmail)
	acme.createPasskeyFirst(t, tab, adaEmail)
	tab.WaitVisible(t, "#two-step-enable")
	tab.Click(t, "#two-step-enable")
	tab.WaitVisible(t, "#totp-qr")

	secret := tab.Text(t, "#totp-secret")
	require.Equal(t, "Copy", tab.Text(t, "#totp-secret-copy"))
	tab.Click(t, "#totp-secret-copy")
	tab.WaitText(t, "#totp-kept", "Key copied.")
	var clip []string
	tab.Eval(t, `window.kept.clip`, &clip)
	require.Equal(t, []string{secret}, clip)

	code, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#backup-codes-saved")
	codes := tab.Texts(t, "li.backup-code")
	require.Len(t, codes, 10)
	want := "Backup codes for Acme. Each code works once.\n\n" + strings.Join(codes, "\n") + "\n"

	tab.Click(t, "#backup-codes-copy")
	tab.WaitText(t, "#backup-kept", "Backup codes copied.")
	tab.Eval(t, `window.kept.clip`, &clip)
	require.Equal(t, []string{secret, want}, clip)
	tab.Click(t, "#backup-codes-download")
	require.Equal(t, []keptFile{{Name: "backup-codes.txt", Text: want}}, keptFiles(t, tab))
	require.Equal(t, "Download (.txt)", tab.Text(t, "#backup-codes-download"))
	require.Equal(t, "Print", tab.Text(t, "#backup-codes-print"))
	tab.Click(t, "#backup-codes-print")
	var printed []string
	tab.Eval(t, `window.kept.prints.map((p) => p.printing ? p.id : "")`, &printed)
	require.Equal(t, []string{"backup-codes"}, printed)
	requireEveryFieldLabelled(t, tab)
}

// TestSignUpByPhone_SMSSetupOffersTheProvedNumber: a sign-up that proved a
// phone number by a text message does not ask for it again when setting
// up 2-step verification by text message.
func TestSignUpByPhone_SMSSetupOffersTheProvedNumber(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Identifiers = []string{tenants.IdentifierPhone}
		s.SignUp.Required = []string{tenants.IdentifierPhone}
		s.MFA.Policy = tenants.MFAMandatory
		s.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
		s.SignUp.PasskeyPrompt = false
		s.Passkeys.Autofill = false
	})
	const mobile = "+15555550142"
	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/sign-up"))
	tab.Type(t, "#identifier", "+1 555 555 0142")
	tab.Click(t, "#sign-up-continue")
	tab.WaitVisible(t, "#verify-code")
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, mobile, 0))
	tab.Click(t, "#verify-submit")

	tab.WaitVisible(t, "#choose-sms")
	tab.Click(t, "#choose-sms")
	tab.WaitVisible(t, "#sms-phone")
	var phone string
	tab.Eval(t, `document.getElementById("sms-phone").value`, &phone)
	require.Equal(t, mobile, phone, "the proved number is offered")
	require.Equal(t, "sms-send", tab.FocusedID(t), "one press sends the code")
	before := flowtest.Sent(acme.outbox, mobile)
	tab.Click(t, "#sms-send")
	tab.WaitVisible(t, "#sms-code")
	tab.Type(t, "#sms-code", flowtest.CodeTo(t, acme.outbox, mobile, before))
	tab.Click(t, "#sms-verify")
	tab.WaitVisible(t, "#mfa-finish")
	user, err := acme.scope().Users().ByIdentifier(t.Context(), db.IdentifierPhone, mobile)
	require.NoError(t, err)
	f, err := acme.scope().SMSFactors().Get(t.Context(), user.ID)
	require.NoError(t, err)
	require.Equal(t, mobile, f.Phone)
}
