package web_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// signalRecorder is a script run before every page of a tab: it wraps the
// WebAuthn Signal API's three methods so that each call is written to the
// origin's localStorage (which outlives the navigation after a sign-in)
// and then passed to the browser's own method, where it has one.
const signalRecorder = `(() => {
  const PKC = window.PublicKeyCredential;
  if (!PKC) return;
  for (const name of ["signalUnknownCredential", "signalAllAcceptedCredentials", "signalCurrentUserDetails"]) {
    const own = typeof PKC[name] === "function" ? PKC[name].bind(PKC) : null;
    PKC[name] = (options) => {
      const calls = JSON.parse(localStorage.getItem("test-signals") || "[]");
      calls.push({ name, options });
      localStorage.setItem("test-signals", JSON.stringify(calls));
      return own ? own(options) : Promise.resolve();
    };
  }
})();`

// signal is one recorded call of the Signal API.
type signal struct {
	Name    string `json:"name"`
	Options struct {
		RPID                     string   `json:"rpId"`
		UserID                   string   `json:"userId"`
		CredentialID             string   `json:"credentialId"`
		AllAcceptedCredentialIDs []string `json:"allAcceptedCredentialIds"`
		Name                     string   `json:"name"`
		DisplayName              string   `json:"displayName"`
	} `json:"options"`
}

// signals returns the calls recorded on the tab's origin and forgets them.
func signals(t *testing.T, tab *browser.Tab) []signal {
	t.Helper()
	var raw string
	tab.Eval(t, `(() => { const s = localStorage.getItem("test-signals") || "[]"; localStorage.removeItem("test-signals"); return s; })()`, &raw)
	var out []signal
	require.NoError(t, json.Unmarshal([]byte(raw), &out))
	return out
}

// lastSignal returns the last recorded call named name, failing without one.
func lastSignal(t *testing.T, calls []signal, name string) signal {
	t.Helper()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Name == name {
			return calls[i]
		}
	}
	require.FailNow(t, "no signal", "no %s among %+v", name, calls)
	return signal{}
}

func TestSignalAPI_SignInAccountAndARemovedPasskeyTellTheBrowser(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
			tab := browser.New(t).NewTab(t)
			tab.RunBeforePageScripts(t, signalRecorder)
			phone := &passkeyDevice{}
			phone.plugIn(t, tab)
			b64 := base64.RawURLEncoding.EncodeToString

			acme.signUp(t, tab, adaEmail)
			user := acme.user(t, adaEmail)
			credID := b64(phone.only(t).CredentialID)

			// The account center: every passkey the account holds.
			acc := lastSignal(t, signals(t, tab), "signalAllAcceptedCredentials")
			require.Equal(t, "acme.localhost", acc.Options.RPID)
			require.Equal(t, b64(user.WebAuthnHandle), acc.Options.UserID)
			require.Equal(t, []string{credID}, acc.Options.AllAcceptedCredentialIDs)

			// A new name: the browser hears the current details.
			tab.Click(t, "#edit-name")
			tab.WaitVisible(t, "#display-name")
			clearField(t, tab, "#display-name")
			tab.Type(t, "#display-name", "Ada Lovelace")
			tab.Click(t, "#save-name")
			tab.WaitText(t, "#status", "Your name is saved.")
			det := lastSignal(t, signals(t, tab), "signalCurrentUserDetails")
			require.Equal(t, "acme.localhost", det.Options.RPID)
			require.Equal(t, b64(user.WebAuthnHandle), det.Options.UserID)
			require.Equal(t, adaEmail, det.Options.Name, "the primary identifier")
			require.Equal(t, "Ada Lovelace", det.Options.DisplayName)

			// A passkey sign-in: the page asks the account API for the accepted ids.
			acme.signOut(t, tab)
			signals(t, tab)
			tab.Click(t, "#passkey-button")
			acme.waitAccount(t, tab)
			calls := signals(t, tab)
			require.GreaterOrEqual(t, len(calls), 2, "the sign-in page and the account page both signal")
			require.Equal(t, "signalAllAcceptedCredentials", calls[0].Name, "the sign-in page signals before it leaves")
			require.Equal(t, []string{credID}, calls[0].Options.AllAcceptedCredentialIDs)
			require.Equal(t, b64(user.WebAuthnHandle), calls[0].Options.UserID)

			// The passkey removed elsewhere (another device's account
			// center): the browser still offers it, the server does not
			// know it, and the page tells the browser to forget it.
			acme.signOut(t, tab)
			signals(t, tab)
			require.NoError(t, acme.scope().Credentials().Delete(t.Context(), user.ID, acme.credentials(t, user.ID)[0].ID))
			tab.Click(t, "#passkey-button")
			tab.WaitText(t, "#message", "This passkey is no longer registered here. Use another passkey or another way to sign in.")
			unknown := lastSignal(t, signals(t, tab), "signalUnknownCredential")
			require.Equal(t, "acme.localhost", unknown.Options.RPID)
			require.Equal(t, credID, unknown.Options.CredentialID)
			require.Empty(t, acme.sessions(t, user.ID))
			// Chromium's own Signal API reaches the virtual authenticator,
			// which drops the passkey.
			require.Eventually(t, func() bool { return len(phone.auth.Credentials(t)) == 0 }, 5*time.Second, 50*time.Millisecond,
				"the browser forgot the unknown passkey")
		})
	}
}
