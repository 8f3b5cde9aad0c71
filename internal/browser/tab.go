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

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

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
		if err == nil || !(strings.Contains(err.Error(), "Could not find node with given id") ||
			strings.Contains(err.Error(), "Execution context was destroyed")) {
			break
		}
		v, err = chromedp.Run(ctx, action)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		what += fmt.Sprintf(" (gave up after %s)%s", tab.timeout, tab.state())
	}
	require.NoError(t, err, "browser: %s", what)
	return v
}

// state describes what the tab shows when an action gave up: its address,
// the page's errors, its last requests and the start of its text, so that
// a wait that timed out says what the page did instead.
func (tab *Tab) state() string {
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	raw, _ := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(document.body ? document.body.innerText : "").slice(0, 600)`))
	var text string
	_ = json.Unmarshal(raw, &text)
	reqs := tab.Requests()
	if len(reqs) > 8 {
		reqs = reqs[len(reqs)-8:]
	}
	return fmt.Sprintf("\n  at %s\n  page errors: %q\n  last requests: %q\n  page text: %q", url, tab.ConsoleErrors(), reqs, text)
}

// Navigate loads url in the tab and waits for its load event.
func (tab *Tab) Navigate(t testing.TB, url string) {
	t.Helper()
	run(t, tab, "navigating to "+url, chromedp.Navigate(url))
}

// Click waits until the first element that matches the CSS selector is
// visible and clicks it with the mouse, as a user would (the click counts as
// a user activation).
//
// It first waits for the page to finish loading (document.readyState
// "complete"): a page's module scripts attach its handlers only then, and a
// click on a button drawn by the HTML but not yet handled would do nothing
// (a test racing the page, not a person).
func (tab *Tab) Click(t testing.TB, selector string) {
	t.Helper()
	run(t, tab, "waiting for the page to finish loading",
		chromedp.Evaluate[bool](pageLoaded, chromedp.EvalAwaitPromise))
	run(t, tab, fmt.Sprintf("clicking %q", selector), chromedp.Click(chromedp.CSS(selector)))
}

// pageLoaded resolves once the document has loaded, its scripts run.
const pageLoaded = `document.readyState === "complete" ||
	new Promise((resolve) => window.addEventListener("load", () => resolve(true), { once: true }))`

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
