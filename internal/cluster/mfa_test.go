package cluster

import (
	"context"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// mfaTenant is the tenant whose every user binds and passes a second
// factor: an authenticator app (or a backup code).
const mfaTenant = "vault"

func mfaSettings(s *tenants.Settings) {
	s.SignUp.Password = true
	s.MFA.Policy = tenants.MFAMandatory
	s.MFA.Factors = []string{tenants.FactorTOTP, tenants.FactorBackupCodes}
	s.Passkeys.Autofill = false
}

// mfaJourney signs up on the MFA tenant (the address proved by a code, a
// password, the authenticator app bound with the secret the page shows),
// signs out, then signs in with the password and a code from the app, each
// request served by whichever node HAProxy picks, the code checked on
// another node than the password. It checks the session's methods.
func (c *cluster) mfaJourney(tab *browser.Tab) {
	t := c.t
	t.Helper()
	origin, host := c.origin(mfaTenant), mfaTenant+"."+c.base
	const email, pass = "lin@example.com", "violet anchor ledger 1942"

	tab.Navigate(t, origin+"/sign-up")
	tab.Type(t, "#identifier", email)
	before := c.sent(email)
	tab.Click(t, "#sign-up-continue")
	tab.WaitVisible(t, "#verify-code")
	tab.Type(t, "#verify-code", c.codeTo(email, before))
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#new-password")
	tab.Type(t, "#new-password", pass)
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#prompt-skip")
	tab.Click(t, "#prompt-skip")
	tab.WaitVisible(t, "#totp-qr")
	secret := tab.Text(t, "#totp-secret")
	bound := time.Now()
	code, err := totp.GenerateCode(secret, bound)
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#totp-confirm")
	tab.WaitVisible(t, "#backup-codes-saved")
	tab.Click(t, "#backup-codes-saved")
	waitAccount(t, tab, origin)
	signOut(t, tab, origin)

	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", pass)
	tab.Click(t, "#password-submit")
	tab.WaitVisible(t, "#mfa-totp input")
	// The code the app shows next: the one that bound it is spent.
	code, err = totp.GenerateCode(secret, bound.Add(30*time.Second))
	require.NoError(t, err)
	tab.Type(t, "#mfa-totp input", code)
	// The app's code goes to another node than the one that checked the
	// password (the page waits for the person: nothing else is in flight).
	checkedPassword, step := c.lastServed(host, "/api/flows/sign-in/")
	require.Equal(t, "/api/flows/sign-in/password", step)
	c.steerAway(checkedPassword)
	tab.Click(t, "#mfa-totp button[type=submit]")
	waitAccount(t, tab, origin)
	checkedCode, step := c.lastServed(host, "/api/flows/sign-in/")
	require.NotEqual(t, checkedPassword, checkedCode, "the password and the app's code were checked on one node (%s)", step)
	t.Logf("mfa: password checked on %s, the app's code (%s) on %s", checkedPassword, step, checkedCode)
	require.Equal(t, "pwd,otp,mfa", c.newestSession(mfaTenant, email).AMR)
	signOut(t, tab, origin)
}

// newestSession returns the newest live session of the tenant's user
// with the email address.
func (c *cluster) newestSession(slug, email string) *db.Session {
	c.t.Helper()
	ctx := context.Background()
	tn, err := c.tenants.BySlug(ctx, slug)
	require.NoError(c.t, err)
	scope := c.db.ForTenant(tn.ID)
	u, err := scope.Users().ByIdentifier(ctx, db.IdentifierEmail, email)
	require.NoError(c.t, err)
	sessions, err := scope.Sessions().ByUser(ctx, u.ID, time.Now())
	require.NoError(c.t, err)
	require.NotEmpty(c.t, sessions)
	newest := sessions[0]
	for _, s := range sessions {
		if s.CreatedAt.After(newest.CreatedAt) {
			newest = s
		}
	}
	return newest
}
