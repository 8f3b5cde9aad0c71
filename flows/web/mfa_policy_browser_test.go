package web_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// meFromThePage asks the account API who is signed in, from the page, with
// whatever cookie the browser holds.
func meFromThePage(t *testing.T, tab *browser.Tab) bool {
	t.Helper()
	var signedIn bool
	tab.Eval(t, `fetch("/graphql", {method: "POST", headers: {"Content-Type": "application/json", "X-Sesame-Request": "1"},
		body: JSON.stringify({query: "{ me { id } }"})}).then((r) => r.json()).then((b) => !!(b.data && b.data.me))`, &signedIn)
	return signedIn
}

// TestSignUpMandatory_APasswordSignUpInThePageSignsInOnlyOnceTheAppIsBound:
// under the mandatory policy the hosted page goes from the password to the
// passkey prompt and the authenticator app with no session in the browser;
// the confirmed app signs in, and the page ends on the account.
func TestSignUpMandatory_APasswordSignUpInThePageSignsInOnlyOnceTheAppIsBound(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.MFA.Policy = tenants.MFAMandatory
		s.MFA.Factors = []string{tenants.FactorTOTP, tenants.FactorBackupCodes}
		s.Passkeys.Autofill = false
	})
	const email = "lin@example.com"
	tab := browser.New(t).NewTab(t)

	acme.signUpByEmailCode(t, tab, email)
	tab.WaitVisible(t, "#new-password")
	tab.Type(t, "#new-password", "violet anchor ledger 1942")
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#prompt-skip")
	user := acme.user(t, email)
	require.Empty(t, acme.sessions(t, user.ID), "no session before a factor is bound")
	require.False(t, meFromThePage(t, tab))

	tab.Click(t, "#prompt-skip")
	tab.WaitVisible(t, "#totp-qr")
	require.True(t, tab.Shows(t, "#totp-required"))
	require.Empty(t, acme.sessions(t, user.ID))
	require.False(t, meFromThePage(t, tab))
	code, err := totp.GenerateCode(tab.Text(t, "#totp-secret"), time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#backup-codes-saved")
	s := acme.sessions(t, user.ID)
	require.Len(t, s, 1)
	require.Equal(t, "otp,pwd,mfa", s[0].AMR)
	require.True(t, meFromThePage(t, tab))
	requireSessionCookieHidden(t, tab)

	tab.Click(t, "#backup-codes-saved")
	acme.waitAccount(t, tab)
	require.Len(t, acme.sessions(t, user.ID), 1)
	// The QR code is a data: URL, no request to anyone.
	requireOnlyOwnHost(t, acme.origin, slices.DeleteFunc(tab.Requests(), func(u string) bool { return strings.HasPrefix(u, "data:") }))
}
