package web_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestEnrolBrowser_APasswordUserSetsUpAnAppAtSignInWhereTwoStepIsRequired:
// acme requires 2-step verification and ada has only a password. After it
// the page asks her to set up a factor, shows the authenticator app's key
// (still there after a reload), takes its first code, shows the backup
// codes (still there after a reload), and only then signs her in, with
// amr pwd, otp, mfa; one screen at a time, each with one primary action.
func TestEnrolBrowser_APasswordUserSetsUpAnAppAtSignInWhereTwoStepIsRequired(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	next := acme.tenant.Settings
	next.MFA.Policy = tenants.MFAMandatory
	next.MFA.Factors = []string{tenants.FactorTOTP, tenants.FactorBackupCodes}
	tn, err := srv.Tenants.UpdateSettings(t.Context(), acme.tenant, next, true)
	require.NoError(t, err)
	acme.tenant = tn
	ada := acme.newEmailUser(t, adaEmail, mfaPassword)

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", mfaPassword)
	tab.Click(t, "#password-submit")

	onScreen(t, tab, "enrol", "", true)
	require.Equal(t, "Set up 2-step verification", tab.Text(t, "#enrol-title"))
	require.Equal(t, []string{"Authenticator app"}, tab.Texts(t, "#enrol-choices button"))
	require.Empty(t, acme.sessions(t, ada.ID), "no session before a factor is set up")
	tab.Click(t, `#enrol-choices button[data-factor="totp"]`)
	onScreen(t, tab, "enrol-totp", "enrol-totp-confirm", true)
	secret := tab.Text(t, "#enrol-totp-secret")
	require.NotEmpty(t, secret)
	require.Contains(t, tab.Attr(t, "#enrol-totp-qr", "src"), "data:image/png;base64,")

	reloadOn(t, tab, "enrol-totp", "enrol-totp-confirm", adaEmail)
	require.Equal(t, secret, tab.Text(t, "#enrol-totp-secret"), "a reload resumes on the key")

	tab.Click(t, "#enrol-totp-confirm")
	tab.WaitText(t, "#enrol-totp-code-error", "Enter the 6-digit code your authenticator app shows.")
	code, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#enrol-totp-code", code)
	tab.Click(t, "#enrol-totp-confirm")

	onScreen(t, tab, "enrol-backup", "enrol-backup-saved", true)
	codes := tab.Texts(t, "#enrol-backup-list li")
	require.Len(t, codes, 10)
	reloadOn(t, tab, "enrol-backup", "enrol-backup-saved", adaEmail)
	require.Equal(t, codes, tab.Texts(t, "#enrol-backup-list li"), "a reload shows the same codes")
	require.True(t, tab.Shows(t, "#enrol-backup-copy"))
	require.Empty(t, acme.sessions(t, ada.ID), "the session follows the backup codes")
	tab.Click(t, "#enrol-backup-saved")
	acme.waitAccount(t, tab)
	ss := acme.sessions(t, ada.ID)
	require.Len(t, ss, 1)
	require.Equal(t, "pwd,otp,mfa", ss[0].AMR)
	require.Empty(t, tab.ConsoleErrors())
}
