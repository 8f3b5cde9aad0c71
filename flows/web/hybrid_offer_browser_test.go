package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// A passkey sign-in through a phone (a cross-platform authenticator over
// the hybrid transport: Chromium's "cable" virtual authenticator) offers a
// passkey on this device; "Not now" hides it for the tenant's interval.
func TestPasskeyPrompt_AHybridSignInOffersAPasskeyOnThisDevice(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(time.Now())
			srv := testserver.Start(t, backend, testserver.Options{Clock: clk})
			acme := newHostedSite(t, srv, "acme", "Acme")
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.Passkeys.Autofill = false
				s.PasskeyOffers.Prompt = true
				s.PasskeyOffers.PromptIntervalDays = 7
			})
			tab := browser.New(t).NewTab(t)
			phone := &passkeyDevice{opts: browser.AuthenticatorOptions{Transport: webauthn.AuthenticatorTransportCable}}
			phone.plugIn(t, tab)
			acme.signUp(t, tab, adaEmail)
			user := acme.user(t, adaEmail)
			creds := acme.credentials(t, user.ID)
			require.Len(t, creds, 1)
			require.Contains(t, creds[0].Transports, "hybrid", "the browser reports the phone's transport")

			acme.signOut(t, tab)
			tab.Click(t, "#passkey-button")
			tab.WaitVisible(t, "#offer-title")
			require.Equal(t, "Create a passkey on this device?", tab.Text(t, "#offer-title"))
			require.Contains(t, tab.Text(t, "#offer-text"), "another device")
			tab.Click(t, "#offer-later")
			acme.waitAccount(t, tab)
			hidden, err := acme.scope().PasskeyPrompts().HiddenUntil(t.Context(), user.ID)
			require.NoError(t, err)
			require.WithinDuration(t, clk.Now().Add(7*24*time.Hour), hidden, time.Second)

			// Within the interval: straight to the account.
			acme.signOut(t, tab)
			tab.Click(t, "#passkey-button")
			acme.waitAccount(t, tab)
			require.False(t, tab.Shows(t, "#offer-title"))

		})
	}
}
