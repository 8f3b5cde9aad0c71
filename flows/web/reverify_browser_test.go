package web_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	sesametotp "github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestAccount_AnOldSessionAddsAPasskeyAfterReverifyingInTheSameSession: 30
// minutes after signing in, adding a passkey asks to verify; a wrong code
// from the authenticator app changes nothing; the session's own passkey
// verifies it, after which the same session (no new one, none ended) adds
// a passkey on another device; later, the right app code does the same.
func TestAccount_AnOldSessionAddsAPasskeyAfterReverifyingInTheSameSession(t *testing.T) {
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
	before := acme.sessions(t, user.ID)
	require.Len(t, before, 1)

	// An authenticator app, bound while the session was fresh.
	e, err := sesametotp.Enroll("Acme", adaEmail, 64)
	require.NoError(t, err)
	require.NoError(t, acme.scope().TOTP().Start(t.Context(), user.ID, e.Secret, clk.Now()))
	code, err := totp.GenerateCode(e.Secret, clk.Now())
	require.NoError(t, err)
	step, err := sesametotp.Validate(e.Secret, code, clk.Now(), 0)
	require.NoError(t, err)
	require.NoError(t, acme.scope().TOTP().Accept(t.Context(), user.ID, step, clk.Now()))

	clk.Advance(30 * time.Minute)
	tab.Navigate(t, acme.url("/account"))
	waitAccountCenter(t, tab)
	tab.Type(t, "#passkey-name", "Laptop")
	tab.Click(t, "#add-passkey")
	tab.WaitVisible(t, "#reverify-button")
	require.Equal(t, textReverify, tab.Text(t, "#reverify-text"))
	require.Equal(t, "reverify-button", tab.FocusedID(t))
	require.Equal(t, "Use your authenticator app", tab.Text(t, "#reverify-totp"))
	require.False(t, tab.Has(t, "#reverify-backup-code"), "no backup codes to use")

	// A wrong app code: refused, nothing verified.
	tab.Click(t, "#reverify-totp")
	tab.WaitVisible(t, "#reverify-code")
	require.Equal(t, "reverify-code", tab.FocusedID(t))
	require.Equal(t, "Code from your authenticator app", tab.Label(t, "#reverify-code"))
	requireEveryFieldLabelled(t, tab)
	tab.Type(t, "#reverify-code", "000000\r")
	tab.WaitText(t, "#message", "That code is not right. Check it and try again.")
	require.WithinDuration(t, before[0].VerifiedAt, acme.sessions(t, user.ID)[0].VerifiedAt, time.Second)
	require.Len(t, acme.credentials(t, user.ID), 1)
	tab.Screenshot(t, browser.ShotPath(t, "account-reverify-code.png"))

	// The phone's passkey verifies the session; the kept action then runs
	// on the phone, which already holds a passkey of this account.
	tab.Click(t, "#reverify-button")
	tab.WaitText(t, "#message", "This device already has a passkey for this account.")
	require.False(t, tab.Has(t, "#reverify"))
	after := acme.sessions(t, user.ID)
	require.Len(t, after, 1)
	require.Equal(t, before[0].ID, after[0].ID, "the same session")
	require.WithinDuration(t, clk.Now(), after[0].VerifiedAt, time.Second)

	// On the laptop, the verified session adds the passkey at once.
	phone.unplug(t)
	laptop := &passkeyDevice{}
	laptop.plugIn(t, tab)
	tab.Eval(t, `document.getElementById("passkey-name").value = ""`, nil)
	tab.Type(t, "#passkey-name", "Laptop")
	tab.Click(t, "#add-passkey")
	tab.WaitText(t, "#status", textPasskeyAdded)
	require.Contains(t, tab.Texts(t, ".passkey-name"), "Laptop")
	require.Len(t, acme.credentials(t, user.ID), 2)

	// Later still, the right app code verifies, and the kept action adds a
	// passkey on a tablet.
	clk.Advance(30 * time.Minute)
	laptop.unplug(t)
	tablet := &passkeyDevice{}
	tablet.plugIn(t, tab)
	tab.Eval(t, `document.getElementById("passkey-name").value = ""`, nil)
	// The sticky status line ("Passkey added.") covers the button at the
	// bottom of the window: submit with the keyboard, as a person may.
	tab.Type(t, "#passkey-name", "Tablet\r")
	tab.WaitVisible(t, "#reverify-totp")
	tab.Click(t, "#reverify-totp")
	tab.WaitVisible(t, "#reverify-code")
	code, err = totp.GenerateCode(e.Secret, clk.Now())
	require.NoError(t, err)
	tab.Type(t, "#reverify-code", code+"\r")
	tab.WaitText(t, "#status", textPasskeyAdded)
	require.Len(t, acme.credentials(t, user.ID), 3)
	after = acme.sessions(t, user.ID)
	require.Len(t, after, 1)
	require.Equal(t, before[0].ID, after[0].ID, "still the same session")
	require.Equal(t, "webauthn,otp", after[0].AMR)

	require.Empty(t, tab.ConsoleErrors())
	requireOnlyOwnHost(t, acme.origin, tab.Requests())
}
