package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

const chromeOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// passkeySignInAs signs c in with dev's passkey through the flow API, as
// the browser ua.
func passkeySignInAs(t *testing.T, c *apiClient, dev *apiDevice, ua string) apiResponse {
	t.Helper()
	r := c.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, map[string]string{"User-Agent": ua})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r = c.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": dev.get(t, apiPublicKey(t, r))},
		map[string]string{"X-Sesame-Flow": apiFlowToken(t, r), "User-Agent": ua})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return r
}

// deviceCookieOf returns the device cookie a response set, failing when
// it set none.
func deviceCookieOf(t *testing.T, r apiResponse) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "sesame_device" {
			return c
		}
	}
	t.Fatalf("no device cookie in %v", r.header.Values("Set-Cookie"))
	return nil
}

// A sign-in from a browser without the user's device cookie emails the
// user once, naming the browser and system, the time and the address;
// the browser that signed up, and a browser the user signed in from
// before, tell nothing; a browser that holds another user's device cookie
// is new for this user; a tenant that turned the notice off tells nothing.
func TestAPI_ASignInFromANewDeviceTellsTheUserOnce(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			const ada, bob, marker = "ada@example.com", "bob@example.com", "New sign-in"

			home := newAPIClient(t, srv, "acme")
			adaKey := newAPIDevice(srv, "acme")
			apiSignUp(t, home, adaKey, ada)
			// The browser that signed up signs in again: not new.
			r := passkeySignInAs(t, home, adaKey, chromeOnWindows)
			cookie := deviceCookieOf(t, r)
			require.True(t, cookie.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, cookie.SameSite)
			require.Greater(t, cookie.MaxAge, 365*24*60*60, "long-lived")
			require.Empty(t, cookie.Domain, "host-only")

			// A fresh browser is new: one notice, with what it is.
			other := newAPIClient(t, srv, "acme")
			passkeySignInAs(t, other, adaKey, chromeOnWindows)
			got := flowtest.MessagesTo(t, srv.Outbox, ada, marker, 1)
			require.Equal(t, "New sign-in to your Acme account", got[0].Subject)
			require.Contains(t, got[0].Body, "from a new device: Chrome on Windows, on ")
			require.Contains(t, got[0].Body, " UTC from the address 127.0.0.1.")
			require.NotContains(t, strings.ToLower(got[0].Body), "code")

			// The same browser again: nothing more (the home browser's
			// sign-up and sign-in sent nothing either).
			passkeySignInAs(t, other, adaKey, chromeOnWindows)
			passkeySignInAs(t, home, adaKey, chromeOnWindows)
			flowtest.MessagesTo(t, srv.Outbox, ada, marker, 1)

			// A browser whose device cookie is another user's: new for Ada.
			shared := newAPIClient(t, srv, "acme")
			apiSignUp(t, shared, newAPIDevice(srv, "acme"), bob)
			passkeySignInAs(t, shared, adaKey, "")
			got = flowtest.MessagesTo(t, srv.Outbox, ada, marker, 2)
			require.Condition(t, func() bool {
				return strings.Contains(got[0].Body+got[1].Body, "from a new device: an unknown browser on an unknown system, on ")
			}, "a browser without a user agent")
			require.Zero(t, countWith(srv, bob, marker), "Bob is told nothing")
			// Now the shared browser knows both.
			passkeySignInAs(t, shared, adaKey, "")

			// Turned off: a new browser tells nothing.
			srv.SetSettings(t, "acme", func(s *tenants.Settings) { s.Account.NewSignInNotice = false })
			passkeySignInAs(t, newAPIClient(t, srv, "acme"), adaKey, chromeOnWindows)
			time.Sleep(500 * time.Millisecond)
			flowtest.MessagesTo(t, srv.Outbox, ada, marker, 2)
		})
	}
}

func countWith(srv *testserver.Server, to, marker string) int {
	n := 0
	for _, m := range srv.Outbox.Messages() {
		if m.To == to && strings.Contains(m.Subject, marker) {
			n++
		}
	}
	return n
}
