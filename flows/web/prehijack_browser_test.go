package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/tenants"
)

// TestSignUpPasskeyFirst_ThePageProvesTheAddressBeforeThePasskey: "Create
// a passkey" on the sign-up page first shows the code screen; nothing
// exists until the code the email brings is typed; then the passkey is
// created, and the account holds the address verified. An address already
// taken shows the same code screen, and its code says it is taken.
func TestSignUpPasskeyFirst_ThePageProvesTheAddressBeforeThePasskey(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) { s.Passkeys.Autofill = false })
	const email = "ada@example.com"
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	tab.Navigate(t, acme.url("/sign-up"))
	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(acme.outbox, email)
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	require.Equal(t, "We sent a code in an email to "+email+". It works for 10 minutes.", tab.Text(t, "#verify-sent"))
	acme.requireNoUser(t, email)
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, before))
	tab.Click(t, "#verify-submit")
	acme.skipTwoStep(t, tab)
	acme.waitAccount(t, tab)
	user := acme.user(t, email)
	require.Len(t, acme.credentials(t, user.ID), 1)
	ids, err := acme.scope().Users().Identifiers(t.Context(), user.ID)
	require.NoError(t, err)
	require.Len(t, ids, 1)
	require.NotNil(t, ids[0].VerifiedAt)

	// Someone else with the same address: the same code screen, and only
	// the code tells that the address is taken.
	other := browser.New(t).NewTab(t)
	device := &passkeyDevice{}
	device.plugIn(t, other)
	other.Navigate(t, acme.url("/sign-up"))
	other.Type(t, "#identifier", email)
	before = flowtest.Sent(acme.outbox, email)
	other.Click(t, "#create-passkey")
	other.WaitVisible(t, "#verify-code")
	require.Equal(t, "We sent a code in an email to "+email+". It works for 10 minutes.", other.Text(t, "#verify-sent"))
	other.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, before))
	other.Click(t, "#verify-submit")
	other.WaitText(t, "#message", "An account with this email address already exists. Sign in instead, or use another address.")
	creds, err := acme.scope().Credentials().ByUser(t.Context(), user.ID, "")
	require.NoError(t, err)
	require.Len(t, creds, 1)
}
