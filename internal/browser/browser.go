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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// Browser is one headless Chromium that belongs to one test: a process of
// its own, or a browser context of the package's shared process (see
// [Main]). Its tabs
// share the browser profile, so they share cookies and storage as the tabs of
// one person's browser do; start a second Browser for a second person.
type Browser struct {
	ctx context.Context
}

// New starts a headless Chromium for the test and stops it, with every
// process it started, when the test ends. In a package whose TestMain runs
// [Main], it opens a browser context of its own for the test in the
// package's one Chromium instead, disposed of when the test ends.
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

	if parent := shared.browserFor(t, exe); parent != nil {
		return shared.newContext(t, parent)
	}

	userDataDir := filepath.Join(t.TempDir(), "chromium-profile")
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), execOptions(exe, userDataDir)...)

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

// execOptions are the flags of every Chromium the harness starts.
func execOptions(exe, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
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
	}
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
