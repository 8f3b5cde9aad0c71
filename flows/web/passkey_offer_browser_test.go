package web_test

import (
	"encoding/json"
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

// conditionalCreateAsModal is a script run before every page: Chromium's
// virtual authenticators never answer a conditional create (the request
// stays pending until the page aborts it; measured on Chromium 156:
// AbortError when the page gives up, after 3 s), since Chromium hands mediation
// "conditional" to its password manager, which the DevTools WebAuthn
// environment does not stand in for. So the test records each create's
// mediation and options in localStorage and passes a conditional one on
// to the virtual authenticator as a plain create, which it answers: what
// the page asked for and what the server does with the answer are real.
const conditionalCreateAsModal = `(() => {
  const own = navigator.credentials.create.bind(navigator.credentials);
  navigator.credentials.create = (options) => {
    const calls = JSON.parse(localStorage.getItem("test-creates") || "[]");
    calls.push({ mediation: options.mediation || "", rpId: options.publicKey.rp.id, userName: options.publicKey.user.name });
    localStorage.setItem("test-creates", JSON.stringify(calls));
    const { mediation, ...modal } = options;
    return own(modal);
  };
})();`

func TestPasskeyUpgrade_APasswordSignInMakesAConditionalCreateAndTheAccountListsThePasskey(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.Passkeys.Autofill = false
				s.PasskeyOffers.Upgrade = true
			})
			user := acme.newEmailUser(t, adaEmail, offerPassword)
			tab := browser.New(t).NewTab(t)
			tab.RunBeforePageScripts(t, conditionalCreateAsModal)
			phone := &passkeyDevice{}
			phone.plugIn(t, tab)

			signInWithPassword(t, tab, acme, adaEmail, offerPassword)
			acme.waitAccount(t, tab)
			var raw string
			tab.Eval(t, `localStorage.getItem("test-creates") || "[]"`, &raw)
			var creates []struct {
				Mediation string `json:"mediation"`
				RPID      string `json:"rpId"`
				UserName  string `json:"userName"`
			}
			require.NoError(t, json.Unmarshal([]byte(raw), &creates))
			require.Len(t, creates, 1, "one create, made by the page without a click")
			require.Equal(t, "conditional", creates[0].Mediation)
			require.Equal(t, "acme.localhost", creates[0].RPID)

			creds := acme.credentials(t, user.ID)
			require.Len(t, creds, 1)
			stored := storedCredential(t, creds, phone.only(t).CredentialID)
			require.NotEmpty(t, stored.Name, "named like any other passkey")
			require.Equal(t, []string{stored.Name}, tab.Texts(t, ".passkey-name"))
		})
	}
}
