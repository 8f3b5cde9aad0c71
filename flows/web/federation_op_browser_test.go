package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testop"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// connectToNodeOP starts oidc-provider (a certified OpenID Provider, a
// Node.js process on 127.0.0.1) with acme's connector as its one client
// and ana, whose address it says it verified, and creates the connector
// (issuer discovery).
func connectToNodeOP(t *testing.T, acme *hostedSite) (*federation.Connector, *testop.OP) {
	t.Helper()
	return connectToNodeOPMode(t, acme, "")
}

// connectToNodeOPMode is connectToNodeOP with the connector's response
// mode.
func connectToNodeOPMode(t *testing.T, acme *hostedSite, responseMode string) (*federation.Connector, *testop.OP) {
	t.Helper()
	id := uuid.New()
	op := testop.Start(t, testop.Options{
		ClientID: "sesame-acme", Secret: "op-client-secret-for-acme", RedirectURI: federation.CallbackURL(acme.origin, id),
		Accounts: map[string]testop.Account{"ana": {Email: "ana@example.com", EmailVerified: true, Name: "Ana"}},
	})
	trust := true
	c, err := federation.Create(t.Context(), acme.scope(), federation.Spec{
		ID: id, Name: "Node OP", Kind: federation.KindSocial, Type: federation.TypeOIDC, Issuer: op.Issuer,
		ClientID: "sesame-acme", Secret: "op-client-secret-for-acme", TrustEmailVerified: &trust, ResponseMode: responseMode,
	}, time.Now())
	require.NoError(t, err)
	return c, op
}

// waitFor waits until the tab's page has an element matching selector
// (hidden ones too).
func waitFor(t *testing.T, tab *browser.Tab, selector string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !tab.Has(t, selector) {
		require.True(t, time.Now().Before(deadline), "no %s at %s", selector, tab.Location(t))
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFederation_OIDCProviderButtonSignsInInTheBrowser: "Continue with
// Node OP" on acme's sign-in page → oidc-provider's login page → its
// consent page → back on acme's account page, signed in to an account
// made just in time from the provider's verified address and linked to
// its subject. The callback the browser was sent to, opened again, is
// refused with a 4xx page and writes nothing. Signed out, the button
// again goes through the provider (its session and grant still there, it
// asks nothing) to the same account.
func TestFederation_OIDCProviderButtonSignsInInTheBrowser(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
			c, op := connectToNodeOP(t, acme)
			tab := browser.New(t).NewTab(t)
			t.Cleanup(func() {
				if t.Failed() {
					tab.Screenshot(t, "/tmp/fed-op-"+string(b)+".png")
					t.Log(tab.ConsoleErrors(), tab.Location(t))
				}
			})

			tab.Navigate(t, acme.url("/"))
			button := `button[data-connector="` + c.ID.String() + `"]`
			require.Equal(t, "Continue with Node OP", tab.Text(t, button))
			tab.Click(t, button)
			untilAt(t, tab, op.Issuer+"/interaction/")
			tab.WaitVisible(t, `input[name="login"]`)
			tab.Type(t, `input[name="login"]`, "ana")
			tab.Type(t, `input[name="password"]`, "any")
			tab.Click(t, `button[type="submit"]`)
			waitFor(t, tab, `input[name="prompt"][value="consent"]`)
			tab.Click(t, `button[type="submit"]`)
			acme.waitAccount(t, tab)

			ana := acme.user(t, "ana@example.com")
			ids := linked(t, acme, ana)
			require.Len(t, ids, 1)
			require.Equal(t, "ana", ids[0].Subject)
			held, err := acme.scope().Users().Identifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.NotNil(t, held.VerifiedAt, "the provider's verified address")
			require.Len(t, acme.sessions(t, ana.ID), 1)

			// The answer the provider gave, opened again: refused.
			prefix := federation.CallbackURL(acme.origin, c.ID) + "?"
			var callback string
			for _, u := range tab.Requests() {
				if strings.HasPrefix(u, prefix) {
					callback = u
				}
			}
			require.NotEmpty(t, callback, "the browser came back through the callback")
			require.Contains(t, callback, "iss=")
			tab.Navigate(t, callback)
			waitFor(t, tab, `[data-code="federation_state"]`)
			require.Len(t, acme.sessions(t, ana.ID), 1, "nothing written")
			require.Len(t, linked(t, acme, ana), 1)

			// Signed out here, still signed in at the provider: the button
			// signs in to the same account without a page of the provider's.
			tab.Navigate(t, acme.url("/account"))
			acme.waitAccount(t, tab)
			acme.signOut(t, tab)
			tab.Click(t, button)
			acme.waitAccount(t, tab)
			require.Equal(t, ana.ID, acme.user(t, "ana@example.com").ID)
			require.Len(t, linked(t, acme, ana), 1)
			require.Len(t, acme.sessions(t, ana.ID), 1, "the signed-out session ended; the new one is the only one")
		})
	}
}
