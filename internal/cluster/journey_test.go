package cluster

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/tenants"
)

// TestCluster_JourneysThroughTheLoadBalancer: with three nodes behind
// HAProxy in round-robin, consecutive requests land on different nodes,
// and a person signs up with a passkey, signs in with it, signs in with an
// email code and uses the account center, each page and API call served
// by whichever node HAProxy picks; an application signs the person in by
// OpenID Connect; on a tenant that requires a second factor, a person
// signs up binding an authenticator app and signs in with a password and
// the app. Last, on the same cluster, the next release's schema is
// expanded and then contracted under the running nodes.
func TestCluster_JourneysThroughTheLoadBalancer(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	acme := c.createTenant("acme", func(s *tenants.Settings) { s.Passkeys.Autofill = false })
	c.createTenant(mfaTenant, mfaSettings)
	// Bob has no passkey, so the sign-in page offers him the code.
	const bob = "bob@example.com"
	proved := time.Now()
	require.NoError(t, c.db.ForTenant(acme.ID).Users().Create(t.Context(), &db.User{WebAuthnHandle: []byte(bob), DisplayName: "Bob"},
		&db.Identifier{Kind: db.IdentifierEmail, Value: bob, VerifiedAt: &proved}))
	c.up()
	host := "acme." + c.base

	c.requireRoundRobin(host)

	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	origin := c.origin("acme")
	const email = "ada@example.com"

	// Sign up with a passkey, the address proved by the emailed code.
	tab.Navigate(t, origin+"/sign-up")
	tab.Type(t, "#identifier", email)
	before := c.sent(email)
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	tab.Type(t, "#verify-code", c.codeTo(email, before))
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")
	waitAccount(t, tab, origin)
	require.Equal(t, 1, tab.Count(t, ".passkey"), "the account center lists the new passkey")
	signOut(t, tab, origin)

	// Sign in with the passkey.
	tab.Click(t, "#passkey-button")
	waitAccount(t, tab, origin)
	signOut(t, tab, origin)

	// Sign in with a code by email.
	tab.Type(t, "#identifier", bob)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="email_code"]`)
	before = c.sent(bob)
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	tab.WaitVisible(t, "#code")
	tab.Type(t, "#code", c.codeTo(bob, before))
	tab.Click(t, "#code-submit")
	waitAccount(t, tab, origin)
	require.Contains(t, tab.Text(t, "#account"), bob, "the account center shows the address")
	tab.Reload(t)
	waitAccount(t, tab, origin)
	signOut(t, tab, origin)

	c.oidcJourney(tab, "acme", email)
	c.mfaJourney(tab)

	// Every node served part of the journeys, flow steps included.
	flowNodes := 0
	for _, n := range c.nodes {
		require.Positive(t, c.served(n, host, "/"), "node %s served none of the journeys", n.name)
		if c.served(n, host, "/api/flows/") > 0 {
			flowNodes++
		}
	}
	require.GreaterOrEqual(t, flowNodes, 2, "the flow steps all landed on one node")
	require.Equal(t, 1, c.sent(email), "one code for the sign-up")
	require.Equal(t, 1, c.sent(bob), "one code for the sign-in")

	c.expandThenContract("acme")
}

// waitAccount waits for the account center, built by account.js.
func waitAccount(t *testing.T, tab *browser.Tab, origin string) {
	t.Helper()
	tab.WaitVisible(t, `#account[aria-busy="false"]`)
	tab.WaitVisible(t, "#user-name")
	require.Equal(t, origin+"/account", tab.Location(t))
}

// signOut presses "Sign out" and waits for the sign-in page.
func signOut(t *testing.T, tab *browser.Tab, origin string) {
	t.Helper()
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, origin+"/", tab.Location(t))
}

// requireRoundRobin checks that consecutive requests for host go to the
// nodes in turn.
func (c *cluster) requireRoundRobin(host string) {
	t := c.t
	t.Helper()
	var order []string
	for range 2 * nodeCount {
		req, err := http.NewRequest(http.MethodGet, "http://"+c.proxy+"/static/sesame.css", nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		order = append(order, resp.Header.Get(nodeHeader))
	}
	for i := 1; i < len(order); i++ {
		require.NotEqual(t, order[i-1], order[i], "consecutive requests on one node: %v", order)
	}
	require.ElementsMatch(t, []string{"n1", "n2", "n3", "n1", "n2", "n3"}, order)
}
