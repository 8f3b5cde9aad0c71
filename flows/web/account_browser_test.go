package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// These tests walk the account center (/account, J11): the page loads the
// account over the GraphQL account API and changes it there, so each step
// checks what the page shows and what the database holds.

// What the account center says, as a person reads it.
const (
	textPasskeyAdded     = "Passkey added."
	textPasskeyRenamed   = "Passkey renamed."
	textPasskeyRemoved   = "Passkey removed."
	textTwoStepOn        = "2-step verification is on."
	textTwoStepOff       = "2-step verification is off."
	textTwoStepTurnedOff = "2-step verification turned off."
	textTOTPRemoved      = "Authenticator app removed."
	textSessionRevoked   = "Session signed out."
	textReverify         = "Changes to how you sign in need a recent verification: more than 10 minutes have passed since you last verified. Verify with a passkey or another way below, and the change goes through."
)

// accountReady is on the account center once its script has loaded the
// account and rendered it.
const accountReady = `#account[aria-busy="false"] #sessions`

// waitAccountCenter waits until the account center shows the account.
func waitAccountCenter(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.WaitVisible(t, accountReady)
}

// passkeyItem is the selector of the passkey's entry in the list.
func passkeyItem(id uuid.UUID) string { return `li.passkey[data-id="` + id.String() + `"]` }

// requireEveryFieldLabelled fails when a visible input of the page has no
// label.
func requireEveryFieldLabelled(t *testing.T, tab *browser.Tab) {
	t.Helper()
	var unlabelled []string
	tab.Eval(t, `[...document.querySelectorAll("input")].filter((el) => el.checkVisibility() && el.labels.length === 0 && !el.getAttribute("aria-label")).map((el) => el.id || el.name)`, &unlabelled)
	require.Empty(t, unlabelled, "inputs without a label")
}

// requireNoStrayText fails when the account center shows a value a
// script failed to fill ("null", "undefined", a {placeholder}).
func requireNoStrayText(t *testing.T, tab *browser.Tab) {
	t.Helper()
	text := tab.Text(t, "main")
	for _, stray := range []string{"null", "undefined", "NaN", "{", "}"} {
		require.NotContains(t, text, stray)
	}
}

// requireTimeOf checks that the element shows the time t in its datetime
// attribute.
func requireTimeOf(t *testing.T, tab *browser.Tab, selector string, want time.Time) {
	t.Helper()
	got, err := time.Parse(time.RFC3339Nano, tab.Attr(t, selector, "datetime"))
	require.NoError(t, err)
	require.WithinDuration(t, want, got, time.Millisecond, selector)
}

// ownRequests drops the data: URLs (the inline QR code) from urls.
func ownRequests(urls []string) []string {
	var out []string
	for _, u := range urls {
		if !strings.HasPrefix(u, "data:") {
			out = append(out, u)
		}
	}
	return out
}

func TestAccount_PasskeysListedAddedRenamedAndRemoved(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			// Sign-up proves the address; with email codes off, the passkey
			// stays the account's only way in.
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.SignIn.Methods = map[string][]string{tenants.IdentifierEmail: {tenants.MethodPassword}}
			})
			tab := browser.New(t).NewTab(t)
			phone := &passkeyDevice{}
			phone.plugIn(t, tab)
			acme.signUp(t, tab, adaEmail)
			waitAccountCenter(t, tab)
			tab.Screenshot(t, browser.ShotPath(t, "account.png"))

			user := acme.user(t, adaEmail)
			creds := acme.credentials(t, user.ID)
			require.Len(t, creds, 1)
			first := creds[0]
			require.Nil(t, first.LastUsedAt)

			// The profile and the passkey's details.
			require.Equal(t, adaEmail, tab.Text(t, "#user-name"))
			require.Equal(t, adaEmail, tab.Text(t, "#profile-name"))
			// Sign-up proved the address by its code.
			require.Equal(t, []string{"Email: " + adaEmail + " (verified)"}, tab.Texts(t, "li.identifier"))
			item := passkeyItem(first.ID)
			require.Equal(t, []string{first.Name}, tab.Texts(t, ".passkey-name"))
			require.Equal(t, "This device only", tab.Text(t, item+" .passkey-sync"))
			require.Contains(t, tab.Text(t, item+" .passkey-meta"), "Not used yet")
			requireTimeOf(t, tab, item+" .passkey-meta time", first.CreatedAt)
			require.Equal(t, "internal", first.Transports)
			require.Equal(t, "Connects by: this device", tab.Text(t, item+" .passkey-transports"))
			require.Equal(t, "Name for the new passkey (optional)", tab.Label(t, "#passkey-name"))
			requireEveryFieldLabelled(t, tab)
			requireNoStrayText(t, tab)

			// A second passkey, named, from a laptop whose passkeys sync. The
			// phone would refuse the ceremony (it excludes its own passkey),
			// so only the laptop is plugged in.
			phone.unplug(t)
			laptop := &passkeyDevice{opts: browser.AuthenticatorOptions{BackupEligible: true, BackedUp: true}}
			laptop.plugIn(t, tab)
			tab.Type(t, "#passkey-name", "Work laptop")
			tab.Click(t, "#add-passkey")
			tab.WaitText(t, "#status", textPasskeyAdded)
			require.Equal(t, []string{first.Name, "Work laptop"}, tab.Texts(t, ".passkey-name"))
			creds = acme.credentials(t, user.ID)
			require.Len(t, creds, 2)
			second := storedCredential(t, creds, laptop.only(t).CredentialID)
			require.Equal(t, "Work laptop", second.Name)
			require.True(t, second.BackupEligible)
			require.True(t, second.BackupState)
			item2 := passkeyItem(second.ID)
			require.Equal(t, "Synced", tab.Text(t, item2+" .passkey-sync"))
			requireTimeOf(t, tab, item2+" .passkey-meta time", second.CreatedAt)

			// Rename it with the keyboard alone: Enter on "Rename" opens a
			// labelled field with the focus in it and the old name selected,
			// typing replaces it, Enter saves.
			tab.Type(t, item2+" .passkey-rename", "\r")
			tab.WaitVisible(t, item2+" .rename-input")
			require.Equal(t, "rename-"+second.ID.String(), tab.FocusedID(t))
			require.Equal(t, "New name for Work laptop", tab.Label(t, item2+" .rename-input"))
			requireEveryFieldLabelled(t, tab)
			tab.Type(t, item2+" .rename-input", "Home laptop\r")
			tab.WaitText(t, "#status", textPasskeyRenamed)
			require.Equal(t, []string{first.Name, "Home laptop"}, tab.Texts(t, ".passkey-name"))
			require.Equal(t, "Home laptop", storedCredential(t, acme.credentials(t, user.ID), second.CredentialID).Name)

			// Remove it: a confirmation first, which changes nothing.
			tab.Click(t, item2+" .passkey-remove")
			tab.WaitVisible(t, item2+" .passkey-remove-confirm")
			require.Equal(t, "Remove “Home laptop”? You will no longer be able to sign in with it. It stays on its device until you delete it there too.",
				tab.Text(t, item2+" .remove-text"))
			require.Len(t, acme.credentials(t, user.ID), 2, "asking for the confirmation removes nothing")
			tab.Screenshot(t, browser.ShotPath(t, "account-remove.png"))
			tab.Click(t, item2+" .passkey-remove-confirm")
			tab.WaitText(t, "#status", textPasskeyRemoved)
			require.Equal(t, []string{first.Name}, tab.Texts(t, ".passkey-name"))
			creds = acme.credentials(t, user.ID)
			require.Len(t, creds, 1)
			require.Equal(t, first.ID, creds[0].ID)

			// The last passkey is the last way in: the page says so and keeps it.
			tab.Click(t, item+" .passkey-remove")
			tab.Click(t, item+" .passkey-remove-confirm")
			tab.WaitText(t, "#message", "This is your last way to sign in. Add another one before removing it.")
			require.Len(t, acme.credentials(t, user.ID), 1)

			require.Empty(t, tab.ConsoleErrors())
			requireOnlyOwnHost(t, acme.origin, tab.Requests())
		})
	}
}

func TestAccount_TwoStepWithAuthenticatorAppBackupCodesAndSessions(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Now())
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)
	require.False(t, user.MFAEnabled)

	// The tenant's factors by default: passkeys, an authenticator app and
	// backup codes; no SMS.
	require.Equal(t, textTwoStepOff, tab.Text(t, "#mfa-state"))
	var checked bool
	tab.Eval(t, `document.getElementById("mfa-switch").checked`, &checked)
	require.False(t, checked)
	require.Equal(t, "Use 2-step verification", tab.Label(t, "#mfa-switch"))
	require.True(t, tab.Shows(t, "#totp-setup"))
	require.False(t, tab.Has(t, "#sms"))
	require.Equal(t, "You have no backup codes.", tab.Text(t, "#backup-left"))

	// The authenticator app: QR code and key, then a first code.
	tab.Click(t, "#totp-setup")
	tab.WaitVisible(t, "#totp-qr")
	require.True(t, strings.HasPrefix(tab.Attr(t, "#totp-qr", "src"), "data:image/png;base64,"))
	require.Equal(t, "QR code for your authenticator app", tab.Attr(t, "#totp-qr", "alt"))
	require.Equal(t, "totp-code", tab.FocusedID(t))
	require.Equal(t, "6-digit code from the app", tab.Label(t, "#totp-code"))
	secret := tab.Text(t, "#totp-secret")
	f, err := acme.scope().TOTP().Get(t.Context(), user.ID)
	require.NoError(t, err)
	require.Equal(t, secret, f.Secret)
	require.Nil(t, f.ConfirmedAt)
	tab.Screenshot(t, browser.ShotPath(t, "account-totp.png"))

	tab.Type(t, "#totp-code", "000000\r")
	tab.WaitText(t, "#message", "That code is not right. Check it and try again.")
	require.False(t, acme.user(t, adaEmail).MFAEnabled)

	code, err := totp.GenerateCode(secret, clk.Now())
	require.NoError(t, err)
	tab.Eval(t, `document.getElementById("totp-code").value = ""`, nil)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")

	// 2-step verification is on, and the backup codes show once.
	tab.WaitVisible(t, "#backup-codes-saved")
	codes := tab.Texts(t, "li.backup-code")
	require.Len(t, codes, 10)
	require.Equal(t, textTwoStepOn, tab.Text(t, "#mfa-state"))
	tab.Eval(t, `document.getElementById("mfa-switch").checked`, &checked)
	require.True(t, checked)
	require.Equal(t, "An authenticator app is set up.", tab.Text(t, "#totp-state"))
	tab.Screenshot(t, browser.ShotPath(t, "account-backup-codes.png"))
	require.True(t, acme.user(t, adaEmail).MFAEnabled)
	f, err = acme.scope().TOTP().Get(t.Context(), user.ID)
	require.NoError(t, err)
	require.NotNil(t, f.ConfirmedAt)
	requireBackupCodes(t, acme, user.ID, codes, nil)
	tab.Click(t, "#backup-codes-saved")
	tab.WaitText(t, "#backup-left", "10 backup codes left.")
	require.False(t, tab.Has(t, "li.backup-code"), "the codes show once")

	// New backup codes: the old ones stop working.
	tab.Click(t, "#backup-regenerate")
	tab.WaitVisible(t, "#backup-codes-saved")
	fresh := tab.Texts(t, "li.backup-code")
	require.Len(t, fresh, 10)
	require.NotEqual(t, codes, fresh)
	requireBackupCodes(t, acme, user.ID, fresh, codes)
	tab.Click(t, "#backup-codes-saved")

	// Off again, with the switch and the keyboard (Space toggles it).
	tab.Type(t, "#mfa-switch", " ")
	tab.WaitText(t, "#status", textTwoStepTurnedOff)
	require.Equal(t, textTwoStepOff, tab.Text(t, "#mfa-state"))
	require.False(t, acme.user(t, adaEmail).MFAEnabled)
	tab.Click(t, "#totp-remove")
	tab.WaitText(t, "#status", textTOTPRemoved)
	require.True(t, tab.Shows(t, "#totp-setup"))
	_, err = acme.scope().TOTP().Get(t.Context(), user.ID)
	require.ErrorIs(t, err, db.ErrNotFound)

	// Sessions: this one, marked, and one from another browser, which can
	// be signed out from here.
	current := acme.sessions(t, user.ID)
	require.Len(t, current, 1)
	other, err := flows.IssueSession(t.Context(), acme.scope(), user.ID, []string{flows.AMRWebAuthn},
		flows.RequestInfo{UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0", IP: "192.0.2.7"}, clk.Now())
	require.NoError(t, err)
	tab.Navigate(t, acme.url("/account"))
	waitAccountCenter(t, tab)
	require.Equal(t, 2, tab.Count(t, "li.session"))
	mine := `li.session[data-id="` + current[0].ID.String() + `"]`
	theirs := `li.session[data-id="` + other.Session.ID.String() + `"]`
	require.Equal(t, "This session", tab.Text(t, mine+" .session-current"))
	require.False(t, tab.Has(t, mine+" .session-revoke"), "the current session is signed out with Sign out")
	require.False(t, tab.Has(t, theirs+" .session-current"))
	require.Equal(t, "Firefox on Windows", tab.Text(t, theirs+" .session-device"))
	require.Equal(t, []string{"From 192.0.2.7 · With passkey"}, tab.Texts(t, theirs+" .session-meta:last-of-type"))
	requireTimeOf(t, tab, theirs+" time", other.Session.CreatedAt)
	requireNoStrayText(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, "account-sessions.png"))
	tab.Click(t, theirs+" .session-revoke")
	tab.WaitText(t, "#status", textSessionRevoked)
	require.Equal(t, 1, tab.Count(t, "li.session"))
	left := acme.sessions(t, user.ID)
	require.Len(t, left, 1)
	require.Equal(t, current[0].ID, left[0].ID)

	require.Empty(t, tab.ConsoleErrors())
	requireOnlyOwnHost(t, acme.origin, ownRequests(tab.Requests()))
}

// requireBackupCodes checks that the user's unused backup codes are
// exactly the shown ones, and that none of the old ones works.
func requireBackupCodes(t *testing.T, p *hostedSite, userID uuid.UUID, shown, old []string) {
	t.Helper()
	unused, err := p.scope().BackupCodes().Unused(t.Context(), userID)
	require.NoError(t, err)
	require.Len(t, unused, len(shown))
	hashes := make([][]byte, len(unused))
	for i, u := range unused {
		hashes[i] = u.CodeHash
	}
	for _, c := range shown {
		_, ok := backupcode.Match(c, hashes)
		require.True(t, ok, "shown code %s is stored", c)
	}
	for _, c := range old {
		_, ok := backupcode.Match(c, hashes)
		require.False(t, ok, "old code %s still works", c)
	}
}

func TestAccount_RemovingAPasskeyLaterAsksToVerifyWithAPasskeyFirst(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Now())
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)

	// A second passkey on a laptop, added right after signing up.
	phone.unplug(t)
	laptop := &passkeyDevice{opts: browser.AuthenticatorOptions{BackupEligible: true, BackedUp: true}}
	laptop.plugIn(t, tab)
	tab.Type(t, "#passkey-name", "Work laptop")
	tab.Click(t, "#add-passkey")
	tab.WaitText(t, "#status", textPasskeyAdded)
	creds := acme.credentials(t, user.ID)
	require.Len(t, creds, 2)
	first := storedCredential(t, creds, phone.only(t).CredentialID)
	second := storedCredential(t, creds, laptop.only(t).CredentialID)
	laptop.unplug(t)
	phone.plugIn(t, tab)
	before := acme.sessions(t, user.ID)
	require.Len(t, before, 1)

	// Eleven minutes later, removing the laptop's passkey asks to verify.
	clk.Advance(graph.RecentVerification + time.Minute)
	item := passkeyItem(second.ID)
	tab.Click(t, item+" .passkey-remove")
	tab.Click(t, item+" .passkey-remove-confirm")
	tab.WaitVisible(t, "#reverify-button")
	require.Equal(t, textReverify, tab.Text(t, "#reverify-text"))
	require.Equal(t, "reverify-button", tab.FocusedID(t), "the focus moves to the way out")
	require.Equal(t, "", tab.Text(t, "#message"))
	require.Len(t, acme.credentials(t, user.ID), 2, "nothing is removed before verifying")
	requireNoStrayText(t, tab)
	tab.Screenshot(t, browser.ShotPath(t, "account-reverify.png"))

	// Verifying with the phone's passkey removes it.
	tab.Click(t, "#reverify-button")
	tab.WaitText(t, "#status", textPasskeyRemoved)
	require.False(t, tab.Has(t, "#reverify"))
	require.Equal(t, []string{first.Name}, tab.Texts(t, ".passkey-name"))
	creds = acme.credentials(t, user.ID)
	require.Len(t, creds, 1)
	require.Equal(t, first.ID, creds[0].ID)
	requireUsed(t, acme, user.ID, phone, first)

	// The same session, verified now: no session issued, none ended.
	after := acme.sessions(t, user.ID)
	require.Len(t, after, 1)
	require.Equal(t, before[0].ID, after[0].ID)
	require.Equal(t, before[0].TokenHash, after[0].TokenHash)
	require.Equal(t, flows.AMRWebAuthn, after[0].AMR)
	require.WithinDuration(t, clk.Now(), after[0].VerifiedAt, time.Second)
	require.Equal(t, 1, tab.Count(t, "li.session"))

	require.Empty(t, tab.ConsoleErrors())
	requireOnlyOwnHost(t, acme.origin, tab.Requests())
}

func TestAccount_FitsA360PixelScreenAndADesktopAndStaysOnItsHost(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	before := flowtest.Sent(acme.outbox(), adaEmail)
	// Signing up on a phone-sized screen.
	tab.SetViewport(t, 360, 740, true)
	tab.Navigate(t, acme.url("/sign-up"))
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	// Proving the address.
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox(), adaEmail, before))
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")
	tab.WaitVisible(t, accountReady)
	user := acme.user(t, adaEmail)
	require.Len(t, acme.credentials(t, user.ID), 1)

	// fits is true when nothing sticks out of the page sideways.
	const fits = `({width: document.documentElement.scrollWidth, inside: [...document.querySelectorAll("main *")].every((el) => el.getBoundingClientRect().right <= innerWidth + 0.5)})`
	look := func(t *testing.T, name string, max int) {
		t.Helper()
		var got struct {
			Width  int  `json:"width"`
			Inside bool `json:"inside"`
		}
		tab.Eval(t, fits, &got)
		require.LessOrEqual(t, got.Width, max, "%s: the page scrolls sideways", name)
		require.True(t, got.Inside, "%s: an element sticks out", name)
		tab.Screenshot(t, browser.ShotPath(t, name+".png"))
	}
	look(t, "phone", 360)

	// With the longest content open: the authenticator app's QR code and
	// key, a rename field, and a session from a browser with a long name.
	_, err := flows.IssueSession(t.Context(), acme.scope(), user.ID, []string{flows.AMRWebAuthn},
		flows.RequestInfo{UserAgent: strings.Repeat("SomeVeryLongBrowserNameWithoutSpaces/1.0", 4), IP: "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"}, time.Now())
	require.NoError(t, err)
	tab.Reload(t)
	tab.WaitVisible(t, accountReady)
	require.Equal(t, 2, tab.Count(t, "li.session"))
	// Opening the authenticator app setup and a rename field.
	tab.Click(t, "#totp-setup")
	tab.WaitVisible(t, "#totp-qr")
	tab.Click(t, ".passkey-rename")
	tab.WaitVisible(t, ".rename-input")
	require.True(t, tab.Shows(t, "#totp-qr"), "the QR code stays open")
	look(t, "phone-open", 360)

	tab.SetViewport(t, 1280, 800, false)
	look(t, "desktop-open", 1280)

	requireOnlyOwnHost(t, acme.origin, ownRequests(tab.Requests()))
}

func TestAccount_ProblemsShowInTheAlertRegionAndAnEndedSessionAsksToSignIn(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	// Autofill off: the virtual authenticator answers a conditional request
	// by itself, which would sign in again as soon as the sign-in page
	// shows and send the tab back to /account.
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)
	cred := acme.credentials(t, user.ID)[0]
	item := passkeyItem(cred.ID)
	require.Equal(t, "alert", tab.Attr(t, "#message", "role"))
	require.Equal(t, "status", tab.Attr(t, "#status", "role"))

	// An empty name is refused on the page, with the focus back in the field.
	tab.Click(t, item+" .passkey-rename")
	tab.Type(t, item+" .rename-input", "\b\r")
	tab.WaitText(t, "#message", "Enter a name for the passkey.")
	require.Equal(t, "rename-"+cred.ID.String(), tab.FocusedID(t))

	// The session ends elsewhere (signed out from another device): the next
	// change says so and links to the sign-in page, and changes nothing.
	sessions := acme.sessions(t, user.ID)
	require.Len(t, sessions, 1)
	require.NoError(t, acme.scope().Sessions().Delete(t.Context(), user.ID, sessions[0].ID))
	tab.Type(t, item+" .rename-input", "Phone\r")
	tab.WaitVisible(t, "#sign-in-again")
	require.Equal(t, "Your session has ended. Sign in again to manage your account.", tab.Text(t, "#account p"))
	require.Equal(t, cred.Name, acme.credentials(t, user.ID)[0].Name)
	tab.Click(t, "#sign-in-again")
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, acme.url("/"), tab.Location(t))
}

func TestAccount_SMSFactorBoundByACodeThenRemoved(t *testing.T) {
	t.Parallel()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.mail = outbox
	next := acme.tenant.Settings
	next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes}
	tn, err := srv.Tenants.UpdateSettings(t.Context(), acme.tenant, next, false)
	require.NoError(t, err)
	acme.tenant = tn
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)

	tab.Click(t, "#sms-setup")
	tab.WaitVisible(t, "#sms-phone")
	require.Equal(t, "sms-phone", tab.FocusedID(t))
	require.Equal(t, "Phone number, in international form (e.g. +14155550123)", tab.Label(t, "#sms-phone"))
	tab.Type(t, "#sms-phone", "+14155550100\r")
	tab.WaitVisible(t, "#sms-code")
	require.Equal(t, "Code sent to +1 ••• ••• 0100", tab.Label(t, "#sms-code"))
	codeRe := regexp.MustCompile(`\b([0-9]{6})\b`)
	var code string
	require.Eventually(t, func() bool {
		for _, m := range outbox.Messages() {
			if found := codeRe.FindStringSubmatch(m.Body); m.To == "+14155550100" && found != nil {
				code = found[1]
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	_, err = acme.scope().SMSFactors().Get(t.Context(), user.ID)
	require.ErrorIs(t, err, db.ErrNotFound, "sending the code binds nothing yet")

	tab.Type(t, "#sms-code", code+"\r")
	tab.WaitVisible(t, "#backup-codes-saved")
	require.Len(t, tab.Texts(t, "li.backup-code"), 10, "the first factor comes with backup codes")
	require.Equal(t, "Codes go to +1 ••• ••• 0100.", tab.Text(t, "#sms-state"))
	require.Equal(t, textTwoStepOn, tab.Text(t, "#mfa-state"))
	f, err := acme.scope().SMSFactors().Get(t.Context(), user.ID)
	require.NoError(t, err)
	require.Equal(t, "+14155550100", f.Phone)
	require.True(t, acme.user(t, adaEmail).MFAEnabled)

	tab.Click(t, "#sms-remove")
	tab.WaitText(t, "#status", "Phone number removed.")
	require.True(t, tab.Shows(t, "#sms-setup"))
	_, err = acme.scope().SMSFactors().Get(t.Context(), user.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	require.Empty(t, tab.ConsoleErrors())
	requireOnlyOwnHost(t, acme.origin, ownRequests(tab.Requests()))
}
