package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// settleTime is how long [Tab.Settle] lets a page run.
const settleTime = 300 * time.Millisecond

// requestPoll is how often [Tab.WaitRequest] looks at the tab's requests.
const requestPoll = 50 * time.Millisecond

// RunBeforePageScripts makes js run in every later page of the tab before
// the page's own scripts, for example to take an API away from the page as
// a browser without it would ("delete window.PublicKeyCredential;"). Call
// it before navigating.
func (tab *Tab) RunBeforePageScripts(t testing.TB, js string) {
	t.Helper()
	call(t, tab, "adding a script that runs before the page's", page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: js})
}

// SetViewport gives the tab's pages a screen of width × height CSS pixels;
// mobile also makes the page lay out as on a phone (the meta viewport
// applies). It holds for later navigations until changed.
func (tab *Tab) SetViewport(t testing.TB, width, height int64, mobile bool) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	run(t, tab, fmt.Sprintf("setting the viewport to %d×%d", width, height), chromedp.EmulateViewport(width, height, opts...))
}

// Reload reloads the tab's page and waits for its load event.
func (tab *Tab) Reload(t testing.TB) {
	t.Helper()
	run(t, tab, "reloading the page", chromedp.Reload())
}

// Has reports whether an element of the page matches the CSS selector,
// without waiting.
func (tab *Tab) Has(t testing.TB, selector string) bool {
	t.Helper()
	var ok bool
	tab.Eval(t, "document.querySelector("+jsString(selector)+") !== null", &ok)
	return ok
}

// Shows reports whether an element matches the CSS selector and is rendered
// (not hidden by an attribute, a style or an ancestor), without waiting.
func (tab *Tab) Shows(t testing.TB, selector string) bool {
	t.Helper()
	var ok bool
	tab.Eval(t, "(el => el !== null && el.checkVisibility())(document.querySelector("+jsString(selector)+"))", &ok)
	return ok
}

// Count returns how many elements match the CSS selector.
func (tab *Tab) Count(t testing.TB, selector string) int {
	t.Helper()
	var n int
	tab.Eval(t, "document.querySelectorAll("+jsString(selector)+").length", &n)
	return n
}

// Texts returns the trimmed text (textContent) of each element that matches
// the CSS selector, in document order.
func (tab *Tab) Texts(t testing.TB, selector string) []string {
	t.Helper()
	var out []string
	tab.Eval(t, "[...document.querySelectorAll("+jsString(selector)+")].map(el => el.textContent.trim())", &out)
	return out
}

// Attr returns the attribute name of the element that matches the CSS
// selector, "" when the attribute is absent.
func (tab *Tab) Attr(t testing.TB, selector, name string) string {
	t.Helper()
	var v string
	tab.Eval(t, "document.querySelector("+jsString(selector)+").getAttribute("+jsString(name)+") || \"\"", &v)
	return v
}

// FocusedID returns the id of the element that has the keyboard focus, ""
// when none has or it has no id.
func (tab *Tab) FocusedID(t testing.TB) string {
	t.Helper()
	var id string
	tab.Eval(t, `document.activeElement ? document.activeElement.id : ""`, &id)
	return id
}

// Label returns the trimmed text of the first label of the form field that
// matches the CSS selector, "" when it has none.
func (tab *Tab) Label(t testing.TB, selector string) string {
	t.Helper()
	var v string
	tab.Eval(t, "(el => el && el.labels && el.labels.length ? el.labels[0].textContent.trim() : \"\")(document.querySelector("+jsString(selector)+"))", &v)
	return v
}

// WaitText waits until the element that matches the CSS selector reads want
// (trimmed textContent), and fails the test with what it read last when it
// does not within the tab's timeout. It is for text that a page script
// writes after an asynchronous step (a passkey prompt, a server answer).
func (tab *Tab) WaitText(t testing.TB, selector, want string) {
	t.Helper()
	var got struct {
		OK   bool   `json:"ok"`
		Text string `json:"text"`
	}
	tab.Eval(t, fmt.Sprintf(`new Promise((resolve) => {
  const deadline = Date.now() + %d;
  const poll = () => {
    const el = document.querySelector(%s);
    const text = el === null ? "(no element)" : el.textContent.trim();
    if (text === %s || Date.now() > deadline) return resolve({ok: text === %s, text});
    setTimeout(poll, 25);
  };
  poll();
})`, (tab.timeout-2*time.Second).Milliseconds(), jsString(selector), jsString(want), jsString(want)), &got)
	require.True(t, got.OK, "%s reads %q, want %q", selector, got.Text, want)
}

// Settle lets the page run for 300 ms, so that a check that something did
// NOT happen after the page loaded (an error message, a request) is not
// made before the page had the time to do it. Such a check can pass wrongly
// on a very slow machine, never fail wrongly.
func (tab *Tab) Settle(t testing.TB) {
	t.Helper()
	tab.Eval(t, fmt.Sprintf(`new Promise((resolve) => setTimeout(resolve, %d))`, settleTime.Milliseconds()), nil)
}

// WaitRequest waits until the tab has requested url since its mark-th
// request (a length of [Tab.Requests] taken earlier), for up to the tab's
// timeout.
func (tab *Tab) WaitRequest(t testing.TB, mark int, url string) {
	t.Helper()
	deadline := time.Now().Add(tab.timeout)
	for {
		for _, u := range tab.Requests()[mark:] {
			if u == url {
				return
			}
		}
		if time.Now().After(deadline) {
			require.FailNow(t, "the page never requested "+url)
		}
		tab.Eval(t, fmt.Sprintf(`new Promise((resolve) => setTimeout(resolve, %d))`, requestPoll.Milliseconds()), nil)
	}
}

// ShotPath returns where a screenshot named name of the test goes: under
// $SCREENSHOT_DIR, in a folder named after the test, when it is set, else
// in the test's temporary folder.
func ShotPath(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	folder := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_")
	return filepath.Join(dir, folder, name)
}

// jsString returns s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
