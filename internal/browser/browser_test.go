package browser

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/stretchr/testify/require"
)

// Authenticator data flag bits (WebAuthn §6.1).
const (
	flagUP = 0x01 // user present
	flagUV = 0x04 // user verified
	flagBE = 0x08 // backup eligible
	flagBS = 0x10 // backed up
)

// passkeyJS drives the WebAuthn ceremonies of the page /passkey. Each button
// appends one result element: class "ok" with the credential ID (base64url)
// and the authenticator data flags, or class "error" with the error's name.
const passkeyJS = `"use strict";
const rpId = location.hostname;
const random = (n) => crypto.getRandomValues(new Uint8Array(n));

function show(id, outcome, text, flags) {
  const p = document.createElement("p");
  p.id = id;
  p.className = outcome;
  p.textContent = text;
  if (flags !== undefined) p.dataset.flags = String(flags);
  document.body.append(p);
}

async function ceremony(id, run) {
  try {
    const cred = await run();
    show(id, "ok", cred.id, new Uint8Array(cred.response.authenticatorData ?? cred.response.getAuthenticatorData())[32]);
  } catch (e) {
    show(id, "error", e.name);
  }
}

document.getElementById("create").addEventListener("click", () => ceremony("created", () =>
  navigator.credentials.create({publicKey: {
    rp: {id: rpId, name: "Acme"},
    user: {id: random(16), name: "ada@acme.example", displayName: "Ada Lovelace"},
    challenge: random(32),
    pubKeyCredParams: [{type: "public-key", alg: -7}],
    authenticatorSelection: {residentKey: "required", userVerification: "required"},
    timeout: 5000,
  }})));

document.getElementById("get").addEventListener("click", () => ceremony("got", () =>
  navigator.credentials.get({publicKey: {
    rpId,
    challenge: random(32),
    allowCredentials: [],
    userVerification: "required",
    timeout: 2000,
  }})));
`

// site is the test's web server, reachable under any NAME.localhost.
type site struct {
	port string
}

// origin returns the origin under which the browser reaches the server as
// host.localhost.
func (s site) origin(host string) string {
	return "http://" + host + ".localhost:" + s.port
}

// serve starts the test pages on 127.0.0.1 (a random port) for the test.
func serve(t *testing.T) site {
	t.Helper()
	page := func(title, body string) string {
		return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + title +
			`</title><link rel="icon" href="data:,"></head><body>` + body + `</body></html>`
	}
	files := map[string]struct{ contentType, body string }{
		"/passkey": {"text/html", page("Passkey",
			`<button id="create">Create a passkey</button><button id="get">Sign in with a passkey</button>`+
				`<script src="/passkey.js"></script>`)},
		"/passkey.js": {"text/javascript", passkeyJS},
		"/form": {"text/html", page("Sign up",
			`<form action="/welcome" method="get"><input id="name" name="name"><input id="email" name="email">`+
				`<button id="submit" type="submit">Continue</button></form>`)},
		"/broken": {"text/html", page("Broken",
			`<link rel="stylesheet" href="/style.css"><p id="ready">ready</p><script src="/broken.js"></script>`)},
		"/broken.js": {"text/javascript", `console.error("boom from console", 42);
Promise.reject(new TypeError("boom from promise"));
throw new Error("boom from script");`},
		"/style.css": {"text/css", `body { font-family: sans-serif; }`},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /welcome", func(w http.ResponseWriter, r *http.Request) {
		name, email := r.URL.Query().Get("name"), r.URL.Query().Get("email")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page("Welcome",
			`<h1 id="greeting">Welcome, `+html.EscapeString(name)+` (`+html.EscapeString(email)+`)</h1>`+
				`<p id="loading">Loading your account…</p>`+
				`<script>setTimeout(() => document.getElementById("loading").remove(), 100);</script>`))
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType+"; charset=utf-8")
		fmt.Fprint(w, f.body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return site{port: port}
}

// ceremony clicks the button and returns the outcome ("ok" or "error") and
// the text (credential ID or error name) of the result element it appends.
func ceremony(t *testing.T, tab *Tab, button, result string) (outcome, text string) {
	t.Helper()
	tab.Click(t, button)
	tab.WaitVisible(t, result)
	tab.Eval(t, `document.querySelector("`+result+`").className`, &outcome)
	return outcome, tab.Text(t, result)
}

// flags returns the authenticator data flags that the page recorded in the
// result element.
func flags(t *testing.T, tab *Tab, result string) int {
	t.Helper()
	var f int
	tab.Eval(t, `Number(document.querySelector("`+result+`").dataset.flags)`, &f)
	return f
}

// requireOwnHost fails unless every URL is on the host of origin.
func requireOwnHost(t *testing.T, origin string, urls []string) {
	t.Helper()
	want, err := url.Parse(origin)
	require.NoError(t, err)
	require.NotEmpty(t, urls)
	for _, u := range urls {
		got, err := url.Parse(u)
		require.NoError(t, err, u)
		require.Equal(t, want.Host, got.Host, "request to another host: %s", u)
	}
}

func TestPasskeyRegistrationThenDiscoverableSignIn(t *testing.T) {
	t.Parallel()
	s := serve(t)
	tab := New(t).NewTab(t)
	auth := tab.AddVirtualAuthenticator(t, AuthenticatorOptions{})

	tab.Navigate(t, s.origin("acme")+"/passkey")
	outcome, id := ceremony(t, tab, "#create", "#created")
	require.Equal(t, "ok", outcome, "navigator.credentials.create failed with %s", id)

	creds := auth.Credentials(t)
	require.Len(t, creds, 1)
	require.Equal(t, id, CredentialID(creds[0]))
	require.Equal(t, "acme.localhost", creds[0].RpID)
	require.True(t, creds[0].IsResidentCredential)
	require.False(t, creds[0].BackupEligibility, "the default authenticator makes device-bound passkeys")
	require.False(t, creds[0].BackupState)
	require.Equal(t, flagUP|flagUV, flags(t, tab, "#created")&(flagUP|flagUV|flagBE|flagBS))

	// Same page, no allowCredentials: the discoverable credential is offered.
	outcome, got := ceremony(t, tab, "#get", "#got")
	require.Equal(t, "ok", outcome, "navigator.credentials.get failed with %s", got)
	require.Equal(t, id, got)

	require.Empty(t, tab.ConsoleErrors())
	requireOwnHost(t, s.origin("acme"), tab.Requests())
}

func TestPasskeyIsNotOfferedToAnotherRelyingParty(t *testing.T) {
	t.Parallel()
	s := serve(t)
	b := New(t)

	acme := b.NewTab(t)
	acmeAuth := acme.AddVirtualAuthenticator(t, AuthenticatorOptions{})
	acme.Navigate(t, s.origin("acme")+"/passkey")
	outcome, id := ceremony(t, acme, "#create", "#created")
	require.Equal(t, "ok", outcome, "navigator.credentials.create failed with %s", id)
	creds := acmeAuth.Credentials(t)
	require.Len(t, creds, 1)

	// A second tab whose device holds the same passkey, as after a sync.
	other := b.NewTab(t)
	otherAuth := other.AddVirtualAuthenticator(t, AuthenticatorOptions{})
	otherAuth.AddCredential(t, creds[0])

	other.Navigate(t, s.origin("bravo")+"/passkey")
	outcome, name := ceremony(t, other, "#get", "#got")
	require.Equal(t, "error", outcome, "bravo.localhost was offered the passkey of acme.localhost")
	require.Equal(t, "NotAllowedError", name)

	// The same device does offer it to its own relying party, so the refusal
	// above comes from the RP ID and not from an empty authenticator.
	other.Navigate(t, s.origin("acme")+"/passkey")
	outcome, got := ceremony(t, other, "#get", "#got")
	require.Equal(t, "ok", outcome, "navigator.credentials.get failed with %s", got)
	require.Equal(t, id, got)
}

func TestAuthenticatorOptionsAndControls(t *testing.T) {
	t.Parallel()
	s := serve(t)
	tab := New(t).NewTab(t)
	page := s.origin("acme") + "/passkey"

	synced := tab.AddVirtualAuthenticator(t, AuthenticatorOptions{BackupEligible: true, BackedUp: true})
	tab.Navigate(t, page)
	outcome, id := ceremony(t, tab, "#create", "#created")
	require.Equal(t, "ok", outcome, "navigator.credentials.create failed with %s", id)
	require.Equal(t, flagUP|flagUV|flagBE|flagBS, flags(t, tab, "#created")&(flagUP|flagUV|flagBE|flagBS))
	creds := synced.Credentials(t)
	require.Len(t, creds, 1)
	require.True(t, creds[0].BackupEligibility)
	require.True(t, creds[0].BackupState)

	// A failed biometric check refuses a sign-in that requires verification.
	synced.SetUserVerified(t, false)
	tab.Navigate(t, page)
	outcome, name := ceremony(t, tab, "#get", "#got")
	require.Equal(t, "error", outcome)
	require.Equal(t, "NotAllowedError", name)

	synced.SetUserVerified(t, true)
	tab.Navigate(t, page)
	outcome, got := ceremony(t, tab, "#get", "#got")
	require.Equal(t, "ok", outcome, "navigator.credentials.get failed with %s", got)
	require.Equal(t, id, got)

	synced.RemoveAll(t)
	require.Empty(t, synced.Credentials(t))
	tab.Navigate(t, page)
	outcome, name = ceremony(t, tab, "#get", "#got")
	require.Equal(t, "error", outcome)
	require.Equal(t, "NotAllowedError", name)

	// A device without any authenticator.
	synced.Remove(t)
	tab.Navigate(t, page)
	outcome, name = ceremony(t, tab, "#get", "#got")
	require.Equal(t, "error", outcome)
	require.Equal(t, "NotAllowedError", name)
}

func TestJourneyHelpersAndScreenshot(t *testing.T) {
	t.Parallel()
	s := serve(t)
	tab := New(t).NewTab(t)
	origin := s.origin("acme")

	tab.Navigate(t, origin+"/form")
	tab.Type(t, "#name", "Ada Lovelace")
	tab.SetValue(t, "#email", "ada@acme.example")
	var typed string
	tab.Eval(t, `document.querySelector("#name").value`, &typed)
	require.Equal(t, "Ada Lovelace", typed)

	tab.Click(t, "#submit")
	tab.WaitVisible(t, "#greeting")
	require.Equal(t, "Welcome, Ada Lovelace (ada@acme.example)", tab.Text(t, "#greeting"))
	require.Equal(t, origin+"/welcome?name=Ada+Lovelace&email=ada%40acme.example", tab.Location(t))
	tab.WaitNotPresent(t, "#loading")

	shot := filepath.Join(t.TempDir(), "shots", "journey", "welcome.png")
	tab.Screenshot(t, shot)
	data, err := os.ReadFile(shot)
	require.NoError(t, err)
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	require.NoError(t, err, "the screenshot is not a PNG")
	require.Positive(t, cfg.Width)
	require.Positive(t, cfg.Height)

	require.Empty(t, tab.ConsoleErrors())
	requireOwnHost(t, origin, tab.Requests())

	// A page that never shows what the test waits for fails the step within
	// the tab's timeout, with a message that names the selector.
	tab.SetTimeout(300 * time.Millisecond)
	rec := &recordingTB{TB: t}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tab.WaitVisible(rec, "#never-shown")
	}()
	<-done
	require.Less(t, time.Since(start), 5*time.Second)
	require.True(t, rec.failed, "WaitVisible on a missing element did not fail")
	require.Contains(t, rec.String(), `waiting for "#never-shown" to be visible (gave up after 300ms)`)
}

// recordingTB is a testing.TB whose failures are recorded instead of failing
// the test, to check how a helper fails. FailNow ends the calling goroutine,
// as testing's does, so the helper must run on a goroutine of its own.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	msgs   []string
	failed bool
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.FailNow()
}

func (r *recordingTB) FailNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

func TestConsoleErrorsAndRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	s := serve(t)
	tab := New(t).NewTab(t)
	origin := s.origin("acme")

	tab.Navigate(t, origin+"/broken")
	tab.WaitVisible(t, "#ready")

	errs := tab.ConsoleErrors()
	require.Len(t, errs, 3, "console errors: %q", errs)
	require.Contains(t, errs[0], "console.error: boom from console 42")
	require.Contains(t, strings.Join(errs[1:], "\n"), "Uncaught Error: boom from script")
	require.Contains(t, strings.Join(errs[1:], "\n"), "Uncaught (in promise) TypeError: boom from promise")

	reqs := tab.Requests()
	require.Contains(t, reqs, origin+"/broken")
	require.Contains(t, reqs, origin+"/style.css")
	require.Contains(t, reqs, origin+"/broken.js")
	requireOwnHost(t, origin, reqs)
}

func TestFindChromium(t *testing.T) {
	t.Parallel()
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	on := func(paths ...string) func(string) (string, error) {
		return func(file string) (string, error) {
			for _, p := range paths {
				if file == p || filepath.Base(p) == file {
					return p, nil
				}
			}
			return "", errors.New("not found")
		}
	}

	got, err := findChromium(env(map[string]string{"CHROMIUM": "/opt/chrome/chrome"}), on("/opt/chrome/chrome", "/usr/bin/chromium"))
	require.NoError(t, err)
	require.Equal(t, "/opt/chrome/chrome", got, "CHROMIUM wins")

	_, err = findChromium(env(map[string]string{"CHROMIUM": "/nowhere/chrome"}), on("/usr/bin/chromium"))
	require.Error(t, err)
	require.NotErrorIs(t, err, errNoChromium, "a wrong CHROMIUM must fail, not skip")

	got, err = findChromium(env(nil), on("/usr/local/bin/chromium", "/usr/bin/chromium"))
	require.NoError(t, err)
	require.Equal(t, "/usr/local/bin/chromium", got, "PATH before the fallback")

	got, err = findChromium(env(nil), func(file string) (string, error) {
		if file == fallbackChromium {
			return file, nil
		}
		return "", errors.New("not found")
	})
	require.NoError(t, err)
	require.Equal(t, fallbackChromium, got)

	_, err = findChromium(env(nil), on())
	require.ErrorIs(t, err, errNoChromium)
}

func TestAuthenticatorOptionsMapToTheProtocol(t *testing.T) {
	t.Parallel()
	require.Equal(t, &webauthn.VirtualAuthenticatorOptions{
		Protocol:                    webauthn.AuthenticatorProtocolCtap2,
		Transport:                   webauthn.AuthenticatorTransportInternal,
		HasResidentKey:              true,
		HasUserVerification:         true,
		IsUserVerified:              true,
		AutomaticPresenceSimulation: true,
	}, AuthenticatorOptions{}.virtualOptions(), "the zero value is a device-bound platform passkey")

	require.Equal(t, &webauthn.VirtualAuthenticatorOptions{
		Protocol:                    webauthn.AuthenticatorProtocolU2f,
		Transport:                   webauthn.AuthenticatorTransportUsb,
		HasResidentKey:              false,
		HasUserVerification:         false,
		IsUserVerified:              false,
		AutomaticPresenceSimulation: false,
		DefaultBackupEligibility:    true,
		DefaultBackupState:          true,
	}, AuthenticatorOptions{
		Protocol:           webauthn.AuthenticatorProtocolU2f,
		Transport:          webauthn.AuthenticatorTransportUsb,
		ResidentKey:        new(false),
		UserVerification:   new(false),
		UserVerified:       new(false),
		PresenceSimulation: new(false),
		BackupEligible:     true,
		BackedUp:           true,
	}.virtualOptions())
}
