package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestSignUpTwoStep_EnableOrSkipAfterThePasskey: J4a, a new user turns on
// 2-step verification right after creating the passkey (QR code, first
// code, backup codes shown once); J4b, another skips it and still signs in
// with the passkey alone.
func TestSignUpTwoStep_EnableOrSkipAfterThePasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })

	t.Run("J4a enable", func(t *testing.T) {
		const email = "ada@example.com"
		tab := browser.New(t).NewTab(t)
		phone := &passkeyDevice{}
		phone.plugIn(t, tab)
		tab.Navigate(t, acme.url("/sign-up"))
		tab.Type(t, "#identifier", email)
		acme.createPasskeyFirst(t, tab, email)
		tab.WaitVisible(t, "#two-step-enable")
		require.Equal(t, "Turn on 2-step verification", tab.Text(t, "#two-step-title"))
		require.True(t, tab.Shows(t, "#two-step-skip"))
		user := acme.user(t, email)
		require.False(t, user.MFAEnabled, "the passkey alone does not turn 2-step verification on")
		tab.Screenshot(t, browser.ShotPath(t, "sign-up-two-step.png"))

		tab.Click(t, "#two-step-enable")
		tab.WaitVisible(t, "#totp-qr")
		var src string
		tab.Eval(t, `document.getElementById("totp-qr").getAttribute("src")`, &src)
		require.True(t, strings.HasPrefix(src, "data:image/png;base64,"), src[:min(40, len(src))])
		var loaded bool
		tab.Eval(t, `new Promise((resolve) => { const i = document.getElementById("totp-qr"); const ok = () => resolve(i.naturalWidth > 0); i.complete ? ok() : i.addEventListener("load", ok); })`, &loaded)
		require.True(t, loaded, "the QR code image decodes")
		secret := tab.Text(t, "#totp-secret")
		require.NotEmpty(t, secret)
		tab.Screenshot(t, browser.ShotPath(t, "sign-up-totp.png"))

		// A wrong code first: the page says so and stays.
		tab.Type(t, "#totp-code", "000000")
		tab.Click(t, "#totp-confirm")
		tab.WaitText(t, "#totp-code-error", "That code is not right. Enter the 6-digit code your authenticator app shows now.")
		require.False(t, acme.user(t, email).MFAEnabled)

		code, err := totp.GenerateCode(secret, time.Now())
		require.NoError(t, err)
		tab.Eval(t, `document.getElementById("totp-code").value = ""`, nil)
		tab.Type(t, "#totp-code", code)
		tab.Click(t, "#totp-confirm")
		tab.WaitVisible(t, "#backup-codes-saved")
		codes := tab.Texts(t, "li.backup-code")
		require.Len(t, codes, 10)
		tab.Screenshot(t, browser.ShotPath(t, "sign-up-backup-codes.png"))

		user = acme.user(t, email)
		require.True(t, user.MFAEnabled)
		f, err := acme.scope().TOTP().Get(t.Context(), user.ID)
		require.NoError(t, err)
		require.NotNil(t, f.ConfirmedAt)
		require.Equal(t, secret, f.Secret)
		unused, err := acme.scope().BackupCodes().Unused(t.Context(), user.ID)
		require.NoError(t, err)
		hashes := make([][]byte, len(unused))
		for i, u := range unused {
			hashes[i] = u.CodeHash
		}
		require.Len(t, hashes, 10)
		for _, c := range codes {
			_, ok := backupcode.Match(c, hashes)
			require.True(t, ok, "shown code %s is stored", c)
		}

		tab.Click(t, "#backup-codes-saved")
		acme.waitAccount(t, tab)
		requireWebAuthnSession(t, acme, user.ID)
		var own []string
		for _, u := range tab.Requests() {
			if !strings.HasPrefix(u, "data:") {
				own = append(own, u)
			}
		}
		requireOnlyOwnHost(t, acme.origin, own)
	})

	t.Run("J4b skip", func(t *testing.T) {
		const email = "bob@example.com"
		tab := browser.New(t).NewTab(t)
		phone := &passkeyDevice{}
		phone.plugIn(t, tab)
		tab.Navigate(t, acme.url("/sign-up"))
		tab.Type(t, "#identifier", email)
		acme.createPasskeyFirst(t, tab, email)
		acme.skipTwoStep(t, tab)
		acme.waitAccount(t, tab)
		user := acme.user(t, email)
		require.False(t, user.MFAEnabled)
		_, err := acme.scope().TOTP().Get(t.Context(), user.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		unused, err := acme.scope().BackupCodes().Unused(t.Context(), user.ID)
		require.NoError(t, err)
		require.Empty(t, unused)

		// The next sign-in is the passkey alone, as before.
		acme.signOut(t, tab)
		require.Empty(t, acme.sessions(t, user.ID))
		tab.Click(t, "#passkey-button")
		acme.waitAccount(t, tab)
		requireWebAuthnSession(t, acme, user.ID)
	})
}
