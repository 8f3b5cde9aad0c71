package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

const offerPassword = "correct horse battery staple"

func TestPasskeyPrompt_NotNowHidesItForTheTenantsIntervalThenItShowsAgain(t *testing.T) {
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
			user := acme.newEmailUser(t, adaEmail, offerPassword)
			tab := browser.New(t).NewTab(t)
			(&passkeyDevice{}).plugIn(t, tab)

			// Signed in by password, without a passkey: the prompt.
			signInWithPassword(t, tab, acme, adaEmail, offerPassword)
			tab.WaitVisible(t, "#offer-title")
			require.Equal(t, "offer-title", tab.FocusedID(t))
			require.Equal(t, "Create a passkey?", tab.Text(t, "#offer-title"))
			tab.Click(t, "#offer-later")
			acme.waitAccount(t, tab)
			hidden, err := acme.scope().PasskeyPrompts().HiddenUntil(t.Context(), user.ID)
			require.NoError(t, err)
			require.WithinDuration(t, clk.Now().Add(7*24*time.Hour), hidden, time.Second)

			// Within the interval: straight to the account.
			acme.signOut(t, tab)
			clk.Advance(7*24*time.Hour - time.Minute)
			signInWithPassword(t, tab, acme, adaEmail, offerPassword)
			acme.waitAccount(t, tab)
			require.False(t, tab.Shows(t, "#offer-title"))

			// Once it ran out, the prompt again; this time a passkey.
			acme.signOut(t, tab)
			clk.Advance(2 * time.Minute)
			signInWithPassword(t, tab, acme, adaEmail, offerPassword)
			tab.WaitVisible(t, "#offer-title")
			tab.Click(t, "#offer-create")
			acme.waitAccount(t, tab)
			require.Len(t, acme.credentials(t, user.ID), 1)
			require.Equal(t, 1, tab.Count(t, "li.passkey"))
			require.NotEmpty(t, acme.credentials(t, user.ID)[0].Name)
		})
	}
}
