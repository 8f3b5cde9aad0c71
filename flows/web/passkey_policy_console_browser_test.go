package web_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// TestConsole_AdminSetsThePasskeyOffersAndPolicyAndSeesPasskeysOutsideIt:
// the Passkeys settings page saves the offers and the authenticator
// policy, and a user's synced passkey is then marked in the user view
// and in her account center.
func TestConsole_AdminSetsThePasskeyOffersAndPolicyAndSeesPasskeysOutsideIt(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	shop := &hostedSite{srv: c.srv, tenant: c.tenant(t, "shop"), origin: c.srv.URL("shop")}
	grace := shop.newEmailUser(t, "grace@example.com", offerPassword)
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	require.NoError(t, shop.scope().Credentials().Create(t.Context(), &db.Credential{
		UserID: grace.ID, RPID: "shop.localhost", CredentialID: id, PublicKey: []byte{1}, Algorithm: -7,
		AttestationType: "none", AttestationFormat: "none", BackupEligible: true, BackupState: true,
		Name: "Phone", CreatedAt: time.Now(),
	}))

	openSettings(t, tab, c, "shop", "passkeys")
	tab.Click(t, "#f-passkeyOffers-upgrade")
	tab.Click(t, "#f-passkeyOffers-prompt")
	tab.SetValue(t, "#f-passkeyOffers-promptIntervalDays", "14")
	tab.Click(t, "#f-authenticatorPolicy-deviceBoundOnly")
	saveSettings(t, tab)
	s := c.tenant(t, "shop").Settings
	require.Equal(t, tenants.PasskeyOffers{Upgrade: true, Prompt: true, PromptIntervalDays: 14}, s.PasskeyOffers)
	require.True(t, s.AuthenticatorPolicy.DeviceBoundOnly)
	require.Equal(t, tenants.AuthenticatorsAny, s.AuthenticatorPolicy.Mode)

	// A name the shipped table lacks: the server's message at the field.
	tab.SetValue(t, "#f-authenticatorPolicy-mode", "DENY")
	tab.SetValue(t, "#f-authenticatorPolicy-authenticators", "No Such Key")
	tab.Click(t, "#save-settings")
	tab.WaitVisible(t, "#f-authenticatorPolicy-authenticators[aria-invalid=true]")
	require.Empty(t, c.tenant(t, "shop").Settings.AuthenticatorPolicy.Authenticators)

	tab.Navigate(t, c.url("/console/tenants/shop/users/"+grace.ID.String()))
	tab.WaitVisible(t, "#user-passkeys")
	require.Equal(t, []string{"Outside the authenticator policy"}, tab.Texts(t, "#user-passkeys .passkey-policy"))
	require.Empty(t, tab.ConsoleErrors())

	// grace sees it so in her account center, on a browser without
	// passkeys (her passkey is on her phone), signed in by password.
	person := browser.New(t).NewTab(t)
	person.RunBeforePageScripts(t, "delete window.PublicKeyCredential;")
	signInWithPassword(t, person, shop, "grace@example.com", offerPassword)
	shop.waitAccount(t, person)
	require.Equal(t, []string{"This kind of passkey is no longer accepted for new passkeys here. It still works."},
		person.Texts(t, ".passkey-policy"))
}
