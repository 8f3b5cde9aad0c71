package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestFederation_FormPostSignsInInTheBrowser: a connector with
// response_mode=form_post (Apple's way) in Chromium: the button →
// oidc-provider's login and consent → its page posts code, state and iss
// to acme's callback across sites (Chromium sends no SameSite=Lax cookie
// with it) → the same-site hop, which carries the cookie → acme's account
// page, signed in to an account made just in time and linked.
func TestFederation_FormPostSignsInInTheBrowser(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
			c, op := connectToNodeOPMode(t, acme, federation.ResponseModeFormPost)
			tab := browser.New(t).NewTab(t)
			t.Cleanup(func() {
				if t.Failed() {
					tab.Screenshot(t, "/tmp/fed-formpost-"+string(b)+".png")
					t.Log(tab.ConsoleErrors(), tab.Location(t))
				}
			})

			tab.Navigate(t, acme.url("/"))
			tab.Click(t, `button[data-connector="`+c.ID.String()+`"]`)
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
			require.Len(t, acme.sessions(t, ana.ID), 1)
			hop := federation.CallbackURL(acme.origin, c.ID) + "?"
			var hopped bool
			for _, u := range tab.Requests() {
				hopped = hopped || len(u) > len(hop) && u[:len(hop)] == hop
			}
			require.True(t, hopped, "the browser came through the same-site hop")
		})
	}
}
