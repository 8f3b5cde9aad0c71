// Package browser is the harness for Sesame's browser tests: it drives a real
// headless Chromium through the DevTools protocol (chromedp) so that a test can
// walk a sign-in page, the console or the account center as a person would,
// with virtual WebAuthn authenticators standing in for passkeys.
//
// A test starts one browser with [New], opens tabs with [Browser.NewTab], and
// gives a tab a passkey device with [Tab.AddVirtualAuthenticator]. Every helper
// takes the test's testing.TB, fails the test with a message that names the
// selector or URL involved, and is bounded by a per-action timeout, so a page
// that hangs fails its test instead of hanging the run. Everything the harness
// starts is stopped in t.Cleanup.
//
// Chromium treats http://NAME.localhost as a secure context and resolves it to
// the loopback address, so a test serves its pages from 127.0.0.1 and loads
// them as http://acme.localhost:PORT/ to get WebAuthn without TLS.
//
// When no Chromium can be found, [New] skips the test with a hint on how to
// install it, except under CI (the environment variable CI is set), where it
// fails the test instead.
package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// DefaultTimeout bounds each action of a [Tab] (a navigation, a click, a wait,
// a protocol command). It is generous for a loaded CI machine yet short enough
// that a page which never shows what the test waits for fails within seconds.
const DefaultTimeout = 15 * time.Second

// startTimeout bounds the start of the browser process and the opening of a
// tab. Chromium takes about a second to start on an idle machine; several
// tests that start browsers in parallel on two cores take longer.
const startTimeout = 60 * time.Second

// shutdownTimeout bounds the graceful close of the browser in the cleanup.
// After it, the process is killed.
const shutdownTimeout = 10 * time.Second

// leftoverGrace is how long the cleanup lets Chromium's helper processes exit
// on their own after the browser process is gone, before it kills them.
const leftoverGrace = 5 * time.Second

// Browser is one headless Chromium process that belongs to one test. Its tabs
// share the browser profile, so they share cookies and storage as the tabs of
// one person's browser do; start a second Browser for a second person.
type Browser struct {
	ctx context.Context
}

// New starts a headless Chromium for the test and stops it, with every
// process it started, when the test ends.
//
// The executable is the one that the environment variable CHROMIUM names,
// else `chromium` on PATH, else /usr/bin/chromium. If none exists, New skips
// the test with a hint on how to install it, or fails it when the environment
// variable CI is set, so that CI cannot pass by running no browser test.
func New(t testing.TB) *Browser {
	t.Helper()

	exe, err := findChromium(os.Getenv, lookPath)
	switch {
	case errors.Is(err, errNoChromium) && os.Getenv("CI") == "":
		t.Skipf("browser: %v; %s", err, installHint)
	case err != nil:
		t.Fatalf("browser: %v; %s", err, installHint)
	}

	userDataDir := filepath.Join(t.TempDir(), "chromium-profile")
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(userDataDir),
	)

	logs := &testLog{t: t}
	ctx, cancel := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(logs.logf),
		chromedp.WithErrorf(logs.logf),
	)
	b := &Browser{ctx: ctx}

	// Registered before the start, so that a failed start is cleaned up too.
	t.Cleanup(func() {
		closeCtx, cancelClose := context.WithTimeout(ctx, shutdownTimeout)
		err := chromedp.Cancel(closeCtx)
		cancelClose()
		cancel()
		cancelAlloc()
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, chromedp.ErrInvalidContext) {
			t.Logf("browser: closing Chromium: %v", err)
		}
		if killed := reap(userDataDir, leftoverGrace); len(killed) > 0 {
			t.Logf("browser: killed %d Chromium processes that outlived the browser: %v", len(killed), killed)
		}
		logs.close()
	})

	// The first action on the browser context starts the process and binds
	// its life to ctx, so it must not run under a timeout context: the
	// watchdog cancels ctx instead if the start hangs.
	if err := withinTimeout(ctx, cancel, startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("browser: starting Chromium %s: %v", exe, err)
	}
	return b
}

// NewTab opens a new tab (a page target in a window of its own) on the
// browser. The tab records its console errors and network requests from the
// start, and it is closed when the test ends.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()

	tab := &Tab{timeout: DefaultTimeout}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(tab.record))
	tab.ctx = ctx
	t.Cleanup(cancel)

	// As in New: the first action creates the target and binds it to ctx.
	if err := withinTimeout(ctx, cancel, startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("browser: opening a tab: %v", err)
	}
	return tab
}

// withinTimeout runs start and cancels the context of start through cancel
// when it takes longer than d. It exists for the first action on a chromedp
// context, which binds the browser or the tab to the context it runs with and
// so cannot run with a context that has a deadline.
func withinTimeout(ctx context.Context, cancel context.CancelFunc, d time.Duration, start func() error) error {
	timer := time.AfterFunc(d, cancel)
	err := start()
	if !timer.Stop() {
		return fmt.Errorf("gave up after %s: %w", d, errors.Join(err, ctx.Err()))
	}
	return err
}

// Tab is one browser tab. Its helpers read like the steps of a user journey;
// each one fails the test on error and gives up after the tab's timeout
// ([DefaultTimeout] unless changed with [Tab.SetTimeout]). A Tab is not safe
// for concurrent actions, just as a person uses one tab at a time;
// ConsoleErrors and Requests may be called from any goroutine.
type Tab struct {
	ctx     context.Context
	timeout time.Duration

	webauthnEnabled bool

	mu            sync.Mutex
	consoleErrors []string
	requests      []string
}

// SetTimeout changes how long each later action of the tab may take, for a
// page that is known to be slow. It returns the tab for chaining.
func (tab *Tab) SetTimeout(d time.Duration) *Tab {
	tab.timeout = d
	return tab
}

// run runs the action with the tab's timeout and returns its value. It fails
// the test with what (a description naming the selector or URL) on error,
// saying so when the timeout was the cause.
func run[T any](t testing.TB, tab *Tab, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	// A page that replaces its document (a redirect landing, a reload)
	// between the query of a node and the action on it leaves chromedp with
	// a node id the browser no longer knows; the action never reached the
	// page, so it is run again on the new document.
	for range 3 {
		if err == nil || !strings.Contains(err.Error(), "Could not find node with given id") {
			break
		}
		v, err = chromedp.Run(ctx, action)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		what += fmt.Sprintf(" (gave up after %s)", tab.timeout)
	}
	require.NoError(t, err, "browser: %s", what)
	return v
}

// Navigate loads url in the tab and waits for its load event.
func (tab *Tab) Navigate(t testing.TB, url string) {
	t.Helper()
	run(t, tab, "navigating to "+url, chromedp.Navigate(url))
}

// Click waits until the first element that matches the CSS selector is
// visible and clicks it with the mouse, as a user would (the click counts as
// a user activation).
func (tab *Tab) Click(t testing.TB, selector string) {
	t.Helper()
	run(t, tab, fmt.Sprintf("clicking %q", selector), chromedp.Click(chromedp.CSS(selector)))
}

// SetValue sets the value of the form field that matches the CSS selector,
// without key events. Use it to fill a field fast; use [Tab.Type] when the
// page reacts to typing.
func (tab *Tab) SetValue(t testing.TB, selector, value string) {
	t.Helper()
	run(t, tab, fmt.Sprintf("setting the value of %q", selector), chromedp.SetValue(chromedp.CSS(selector), value))
}

// Type focuses the element that matches the CSS selector and types text into
// it key by key, so that the page sees the same keyboard events as from a
// person.
func (tab *Tab) Type(t testing.TB, selector, text string) {
	t.Helper()
	run(t, tab, fmt.Sprintf("typing into %q", selector), chromedp.SendKeys(chromedp.CSS(selector), text))
}

// WaitVisible waits until an element that matches the CSS selector is in the
// page and visible.
func (tab *Tab) WaitVisible(t testing.TB, selector string) {
	t.Helper()
	run(t, tab, fmt.Sprintf("waiting for %q to be visible", selector), chromedp.WaitVisible(chromedp.CSS(selector)))
}

// WaitNotPresent waits until no element in the page matches the CSS selector.
func (tab *Tab) WaitNotPresent(t testing.TB, selector string) {
	t.Helper()
	run(t, tab, fmt.Sprintf("waiting for %q to be gone", selector), chromedp.WaitNotPresent(chromedp.CSS(selector)))
}

// Text waits for the first element that matches the CSS selector and returns
// its visible text (innerText), as a person would read it.
func (tab *Tab) Text(t testing.TB, selector string) string {
	t.Helper()
	return run(t, tab, fmt.Sprintf("reading the text of %q", selector), chromedp.Text(chromedp.CSS(selector)))
}

// Eval evaluates the JavaScript expression in the page, waits for it if it is
// a promise, and decodes its JSON value into out. out may be nil to ignore the
// value. A thrown exception or a rejected promise fails the test.
func (tab *Tab) Eval(t testing.TB, js string, out any) {
	t.Helper()
	raw := run(t, tab, fmt.Sprintf("evaluating %q", js), chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if out == nil || len(raw) == 0 {
		return
	}
	require.NoError(t, json.Unmarshal(raw, out), "browser: decoding the value of %q (%s) into %T", js, raw, out)
}

// Location returns the URL of the page that the tab shows.
func (tab *Tab) Location(t testing.TB) string {
	t.Helper()
	return run(t, tab, "reading the location", chromedp.Location())
}

// Screenshot writes a PNG of the whole page, beyond the viewport, to path. It
// creates the parent folders. Use it to look at a page while writing a test or
// to keep evidence of a failure.
func (tab *Tab) Screenshot(t testing.TB, path string) {
	t.Helper()
	png := run(t, tab, "taking a screenshot for "+path, chromedp.FullScreenshot(100)) // quality 100 means PNG
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755), "browser: creating the folder of %s", path)
	require.NoError(t, os.WriteFile(path, png, 0o644), "browser: writing the screenshot %s", path)
}

// ConsoleErrors returns, in order, what the pages of the tab reported as
// errors since the tab opened: console.error and failed console.assert calls,
// uncaught exceptions and unhandled promise rejections, and error entries of
// the browser log (failed resource loads, Content-Security-Policy violations).
// A healthy page leaves it empty.
//
// A page without a <link rel="icon"> makes Chromium fetch /favicon.ico after
// the load event; a 404 there is recorded too, at a moment no action waits
// for, so such a page gives a list that depends on timing. Give every page an
// icon (href="data:," will do in a test page).
func (tab *Tab) ConsoleErrors() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.consoleErrors...)
}

// Requests returns, in order, the URL of every network request the pages of
// the tab made since the tab opened, navigations included. Tests use it to
// prove that a page loads nothing from hosts other than its own.
func (tab *Tab) Requests() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.requests...)
}

// record is the tab's event listener. chromedp calls it on the goroutine that
// reads the tab's messages, before the reply to any later command, so what a
// page did before an action returned is recorded when the action returns. It
// must be quick and must not send commands.
func (tab *Tab) record(ev any) {
	var consoleErr, request string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		consoleErr = fmt.Sprintf("console.%s: %s", ev.Type, remoteObjectsText(ev.Args))
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			f := st.CallFrames[0]
			consoleErr += fmt.Sprintf(" (%s:%d:%d)", f.URL, f.LineNumber+1, f.ColumnNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		consoleErr = "exception: " + d.Text
		if d.Exception != nil {
			consoleErr += " " + firstLine(remoteObjectText(d.Exception))
		}
		if d.URL != "" {
			consoleErr += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		consoleErr = fmt.Sprintf("log.%s: %s", ev.Entry.Source, ev.Entry.Text)
		if ev.Entry.URL != "" {
			consoleErr += " (" + ev.Entry.URL + ")"
		}
	case *network.EventRequestWillBeSent:
		request = ev.Request.URL
	default:
		return
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if consoleErr != "" {
		tab.consoleErrors = append(tab.consoleErrors, consoleErr)
	}
	if request != "" {
		tab.requests = append(tab.requests, request)
	}
}

// remoteObjectsText renders console arguments separated by spaces.
func remoteObjectsText(args []*runtime.RemoteObject) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = remoteObjectText(a)
	}
	return strings.Join(parts, " ")
}

// remoteObjectText renders one JavaScript value as the DevTools console
// would, close enough for a test failure message: strings as they are,
// primitives as their JSON, objects (errors included) by description.
func remoteObjectText(o *runtime.RemoteObject) string {
	if o == nil {
		return "null"
	}
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal([]byte(o.Value), &s) == nil {
			return s
		}
	}
	switch {
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return string(o.Type)
}

// firstLine returns s up to its first line break; an error's description
// holds its stack on the following lines.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// testLog forwards chromedp's log lines to the test log until the test ends.
// chromedp logs from its own goroutines, and testing panics on a log call
// after the test completed, hence the guard.
type testLog struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (l *testLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.t.Logf("chromedp: "+format, args...)
	}
}

// close stops the forwarding; the cleanup of the browser calls it last.
func (l *testLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
}
