package web_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// A person in the account center changes their name, adds and verifies a
// second email address by its code, sets a password and signs in with the
// new address and that password, then deletes the account: once the job
// removed it, that sign-in fails.
func TestAccount_NameEmailPasswordThenDeletion(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
		s.SignIn.Methods = map[string][]string{tenants.IdentifierEmail: {tenants.MethodPassword}}
		s.Passkeys.Autofill = false
	})
	tab := browser.New(t).NewTab(t)
	(&passkeyDevice{}).plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)

	// The name, changed in place.
	tab.Click(t, "#edit-name")
	tab.WaitVisible(t, "#display-name")
	require.Equal(t, "display-name", tab.FocusedID(t))
	require.Equal(t, "Your name", tab.Label(t, "#display-name"))
	clearField(t, tab, "#display-name")
	tab.Type(t, "#display-name", "Ada Lovelace")
	tab.Click(t, "#save-name")
	tab.WaitText(t, "#status", "Your name is saved.")
	require.Equal(t, "Ada Lovelace", tab.Text(t, "#profile-name"))
	require.Equal(t, "Ada Lovelace", tab.Text(t, "#user-name"))
	require.True(t, tab.Has(t, "#profile #status"), "the message is in the profile")
	u, err := acme.scope().Users().ByID(t.Context(), user.ID)
	require.NoError(t, err)
	require.Equal(t, "Ada Lovelace", u.DisplayName)

	// A second address, proved by the code it receives.
	const work = "ada.work@example.com"
	tab.Type(t, "#new-identifier", work)
	tab.Click(t, "#send-identifier-code")
	tab.WaitVisible(t, "#identifier-code")
	require.Equal(t, "identifier-code", tab.FocusedID(t))
	require.True(t, tab.Has(t, "#add-identifier #status"), "the message is next to the form")
	tab.Type(t, "#identifier-code", flowtest.CodeTo(t, acme.outbox(), work, 0))
	tab.Click(t, "#confirm-identifier")
	tab.WaitText(t, "#status", work+" is added and verified.")
	require.Equal(t, []string{"Email: " + work + " (verified)Remove", "Email: " + adaEmail + " (verified)Remove"}, tab.Texts(t, "li.identifier"))
	requireEveryFieldLabelled(t, tab)
	requireNoStrayText(t, tab)

	// A password, under the tenant's policy.
	require.Equal(t, "You have no password. Set one to sign in with it too.", tab.Text(t, "#password-state"))
	tab.Type(t, "#new-password", "short")
	tab.Click(t, "#set-password")
	tab.WaitText(t, "#message", "This password is too short. Use at least 10 characters: a few unrelated words make a password that is long and easy to remember.")
	require.True(t, tab.Has(t, "#password-form #message"), "the message is in the password form")
	clearField(t, tab, "#new-password")
	tab.Type(t, "#new-password", "correct horse battery staple")
	tab.Click(t, "#set-password")
	tab.WaitText(t, "#status", "Your password is saved.")
	require.Equal(t, "You have a password. You can change it here.", tab.Text(t, "#password-state"))
	tab.Screenshot(t, browser.ShotPath(t, "account-manage.png"))
	u, err = acme.scope().Users().ByID(t.Context(), user.ID)
	require.NoError(t, err)
	ok, _, err := password.Verify("correct horse battery staple", u.PasswordHash)
	require.NoError(t, err)
	require.True(t, ok)

	// The password is a way in now, so the passkey may go; signed out,
	// the new address and the password sign in.
	tab.Click(t, "li.passkey .passkey-remove")
	tab.Click(t, "li.passkey .passkey-remove-confirm")
	tab.WaitText(t, "#status", "Passkey removed.")
	require.Empty(t, acme.credentials(t, user.ID))
	acme.signOut(t, tab)
	signInWithPassword(t, tab, acme, work, "correct horse battery staple")
	acme.waitAccount(t, tab)

	// Deleting the account, at once here: a confirmation, then every
	// session ends and the job removes the account.
	acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) { s.Account.DeletionGraceDays = 0 })
	tab.Reload(t)
	waitAccountCenter(t, tab)
	tab.Click(t, "#delete-account")
	tab.WaitVisible(t, "#delete-account-confirm")
	_, err = acme.scope().Users().ByID(t.Context(), user.ID)
	require.NoError(t, err, "asking for the confirmation deletes nothing")
	tab.Click(t, "#delete-account-confirm")
	tab.WaitText(t, "#deleted", "Your account is being deleted. You are signed out everywhere.")
	require.Eventually(t, func() bool {
		_, err := acme.scope().Users().ByID(t.Context(), user.ID)
		return errors.Is(err, db.ErrNotFound)
	}, 20*time.Second, 50*time.Millisecond, "the job removed the account")
	require.Empty(t, tab.ConsoleErrors())
	signInWithPassword(t, tab, acme, work, "correct horse battery staple")
	tab.WaitText(t, "#password-error", "The account or password is not right. Check them and try again, or choose another way to sign in.")
}

// signInWithPassword signs in on the sign-in page with an email address
// and a password.
func signInWithPassword(t *testing.T, tab *browser.Tab, p *hostedSite, email, pw string) {
	t.Helper()
	tab.Navigate(t, p.url("/"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", pw)
	tab.Click(t, "#password-submit")
}

// clearField empties a text field.
func clearField(t *testing.T, tab *browser.Tab, selector string) {
	t.Helper()
	var done bool
	tab.Eval(t, `(() => { document.querySelector(`+jsString(selector)+`).value = ""; return true; })()`, &done)
	require.True(t, done)
}

// With a grace period, a deleted account signs in again: the account
// center says when it goes and keeps it on request.
func TestAccount_SigningInDuringTheGracePeriodOffersToKeepTheAccount(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	user := acme.newEmailUser(t, "grace@example.com", "correct horse battery staple")
	tab := browser.New(t).NewTab(t)
	signInWithPassword(t, tab, acme, "grace@example.com", "correct horse battery staple")
	acme.waitAccount(t, tab)
	require.Equal(t, "Your account and everything in it will be deleted 7 days after you ask. Until then you can sign in and keep it.",
		tab.Text(t, "#delete p.muted"))
	tab.Click(t, "#delete-account")
	tab.Click(t, "#delete-account-confirm")
	tab.WaitVisible(t, "#deleted")
	require.Contains(t, tab.Text(t, "#deleted"), "Your account will be deleted on ")
	require.Empty(t, acme.sessions(t, user.ID))
	u, err := acme.scope().Users().ByID(t.Context(), user.ID)
	require.NoError(t, err)
	require.NotNil(t, u.DeleteAfter)

	signInWithPassword(t, tab, acme, "grace@example.com", "correct horse battery staple")
	acme.waitAccount(t, tab)
	tab.WaitVisible(t, "#deletion-pending")
	require.Contains(t, tab.Text(t, "#deletion-pending-text"), "Your account will be deleted on ")
	require.False(t, tab.Has(t, "#delete"), "no second deletion while one is pending")
	tab.Click(t, "#keep-account")
	tab.WaitText(t, "#status", "Your account is kept.")
	require.False(t, tab.Has(t, "#deletion-pending"))
	tab.WaitVisible(t, "#delete-account")
	u, err = acme.scope().Users().ByID(t.Context(), user.ID)
	require.NoError(t, err)
	require.Nil(t, u.DeleteAfter)
	require.Empty(t, tab.ConsoleErrors())
}
