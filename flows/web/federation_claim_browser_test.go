package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestFederation_FailedExchangeShowsStartAgain: the provider refuses the
// code exchange (the connector's secret no longer the provider's), after
// the callback claimed the flow's state: the page says to start again,
// and the sign-in page, resuming that flow, shows "Start again" rather
// than a flow it cannot go on with. With the secret put right, "Continue
// with" signs in.
func TestFederation_FailedExchangeShowsStartAgain(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	c, op := connectToNodeOP(t, acme)
	wrong, right := "not-the-provider-secret", "op-client-secret-for-acme"
	_, err := federation.Update(t.Context(), acme.scope(), c.ID, federation.Change{Secret: wrong}, time.Now())
	require.NoError(t, err)
	tab := browser.New(t).NewTab(t)

	tab.Navigate(t, acme.url("/"))
	button := `button[data-connector="` + c.ID.String() + `"]`
	tab.Click(t, button)
	untilAt(t, tab, op.Issuer+"/interaction/")
	tab.WaitVisible(t, `input[name="login"]`)
	tab.Type(t, `input[name="login"]`, "ana")
	tab.Type(t, `input[name="password"]`, "any")
	tab.Click(t, `button[type="submit"]`)
	waitFor(t, tab, `input[name="prompt"][value="consent"]`)
	tab.Click(t, `button[type="submit"]`)
	waitFor(t, tab, `[data-code="federation_failed"]`)
	require.Contains(t, tab.Text(t, "#federation-error"), "Start the sign-in again.")

	// The sign-in page resumes the tab's flow (as after a language
	// switch): claimed, it signs in nobody, so the page offers to start
	// again.
	tab.Eval(t, `(() => { const k = JSON.parse(sessionStorage.getItem("sesame.sign-in"));
		sessionStorage.setItem("sesame.sign-in", JSON.stringify({ ...k, language: true })); return true; })()`, nil)
	tab.Navigate(t, acme.url("/"))
	tab.WaitVisible(t, "#screen-expired")
	tab.Click(t, "#start-again")

	_, err = federation.Update(t.Context(), acme.scope(), c.ID, federation.Change{Secret: right}, time.Now())
	require.NoError(t, err)
	tab.Click(t, button)
	acme.waitAccount(t, tab)
	ana := acme.user(t, "ana@example.com")
	require.Len(t, acme.sessions(t, ana.ID), 1)
}
