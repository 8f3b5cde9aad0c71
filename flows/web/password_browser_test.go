package web_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestPasswordSignIn_ThenSecondFactorInThePage: a person without a passkey
// picks "Password", and a user with 2-step verification on is asked for the
// code from their authenticator app before any session exists.
func TestPasswordSignIn_ThenSecondFactorInThePage(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	ctx := t.Context()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DP"

	hash, err := password.Hash("correct horse battery staple")
	require.NoError(t, err)
	newUser := func(email string, mfa bool) *db.User {
		u := &db.User{WebAuthnHandle: []byte(email), DisplayName: email}
		require.NoError(t, acme.scope().Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: email}))
		require.NoError(t, acme.scope().Users().SetPassword(ctx, u.ID, hash))
		if mfa {
			require.NoError(t, acme.scope().TOTP().Start(ctx, u.ID, secret, time.Now()))
			require.NoError(t, acme.scope().TOTP().Accept(ctx, u.ID, 1, time.Now()))
			require.NoError(t, acme.scope().Users().SetMFA(ctx, u.ID, true))
		}
		return u
	}
	plain := newUser("plain@example.com", false)
	guarded := newUser("guarded@example.com", true)

	tab := browser.New(t).NewTab(t)
	signInWith := func(email, pw string) {
		tab.Navigate(t, acme.url("/"))
		tab.Type(t, "#identifier", email)
		tab.Click(t, "#continue")
		tab.WaitVisible(t, `#method-list button[data-method="password"]`)
		tab.Click(t, `#method-list button[data-method="password"]`)
		tab.WaitVisible(t, "#password")
		tab.Type(t, "#password", pw)
		tab.Click(t, "#password-submit")
	}

	// A wrong password: the page says so, nobody is signed in.
	signInWith(plain.DisplayName, "wrong password here")
	tab.WaitText(t, "#password-error", "The account or password is not right. Check them and try again, or choose another way to sign in.")
	require.Empty(t, acme.sessions(t, plain.ID))

	// The right one, without 2-step verification: straight in.
	signInWith(plain.DisplayName, "correct horse battery staple")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, plain.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd", sessions[0].AMR)
	acme.signOut(t, tab)

	// With 2-step verification: the code is asked for, and until it is
	// given there is no session.
	signInWith(guarded.DisplayName, "correct horse battery staple")
	tab.WaitVisible(t, "#totp-code")
	require.True(t, tab.Shows(t, "#mfa"))
	require.Empty(t, acme.sessions(t, guarded.ID))

	tab.Type(t, "#totp-code", "000000")
	tab.Click(t, "#mfa-totp button")
	tab.WaitText(t, "#totp-code-error", "That code is not right or was already used. Enter a new code, or try another method to verify.")
	require.Empty(t, acme.sessions(t, guarded.ID))

	code, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#totp-code", code)
	tab.Click(t, "#mfa-totp button")
	acme.waitAccount(t, tab)
	sessions = acme.sessions(t, guarded.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd,otp,mfa", sessions[0].AMR)
	// The only console lines are the browser's own notes on the two refused
	// attempts (a wrong password, a wrong code): no script error.
	for _, e := range tab.ConsoleErrors() {
		require.Contains(t, e, "status of 401", e)
	}
	require.Len(t, tab.ConsoleErrors(), 2)
}
