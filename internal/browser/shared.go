package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Main runs the tests of a package whose browser tests share one Chromium
// process, and stops that process when they are done. Call it from the
// package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(browser.Main(m)) }
//
// In such a package, [New] gives each test a browser context of its own in
// the shared process (Chromium's incognito profile: its own cookies,
// storage and cache, shared with nobody) instead of a process of its own.
// Tabs and their virtual authenticators belong to one target each, so a
// test sees the browser it would see in a process of its own, without the
// second or so of CPU that starting Chromium costs on every test. In a
// package without it, New starts a Chromium per test, as before.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.enabled = true
	shared.mu.Unlock()
	code := m.Run()
	shared.stop()
	return code
}

// sharedChromium is the one Chromium process of a package that [Main] runs.
// It starts with the first test that asks for a browser, and again after a
// crash.
type sharedChromium struct {
	mu      sync.Mutex
	enabled bool
	// ctx is the browser's own context (its first tab); nil before the start.
	ctx         context.Context
	cancel      context.CancelFunc
	cancelAlloc context.CancelFunc
	dir         string // the profile and user data folder

	logMu sync.Mutex
	logs  map[*testLog]struct{}
}

var shared sharedChromium

// browserFor returns the shared browser's context, starting Chromium when
// none runs, or nil when the package does not share one.
func (s *sharedChromium) browserFor(t testing.TB, exe string) context.Context {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled {
		return nil
	}
	if s.ctx != nil && s.ctx.Err() == nil {
		return s.ctx
	}
	s.stopLocked() // a crashed browser: clean up what is left of it
	dir, err := os.MkdirTemp("", "sesame-chromium-")
	if err != nil {
		t.Fatalf("browser: creating the profile folder: %v", err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), execOptions(exe, dir)...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(s.logf), chromedp.WithErrorf(s.logf))
	s.ctx, s.cancel, s.cancelAlloc, s.dir = ctx, cancel, cancelAlloc, dir
	// As in New: the first action starts the process and binds it to ctx.
	if err := withinTimeout(ctx, cancel, startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		s.stopLocked()
		t.Fatalf("browser: starting Chromium %s: %v", exe, err)
	}
	return s.ctx
}

// newContext gives the test a browser context of its own in the shared
// browser, disposed of (with its tabs) when the test ends.
func (s *sharedChromium) newContext(t testing.TB, parent context.Context) *Browser {
	t.Helper()
	logs := &testLog{t: t}
	s.logMu.Lock()
	if s.logs == nil {
		s.logs = map[*testLog]struct{}{}
	}
	s.logs[logs] = struct{}{}
	s.logMu.Unlock()

	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		err := chromedp.Cancel(ctx)
		cancel()
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("browser: closing the browser context: %v", err)
		}
		s.logMu.Lock()
		delete(s.logs, logs)
		s.logMu.Unlock()
		logs.close()
	})
	if err := withinTimeout(ctx, cancel, startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("browser: opening a browser context: %v", err)
	}
	return &Browser{ctx: ctx}
}

// logf forwards a line of the shared browser's log to every test that has a
// browser context open, since any of them may be the one it concerns.
func (s *sharedChromium) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	for l := range s.logs {
		l.logf(format, args...)
	}
}

// stop closes the shared browser and kills what is left of it.
func (s *sharedChromium) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enabled = false
	s.stopLocked()
}

func (s *sharedChromium) stopLocked() {
	if s.ctx == nil {
		return
	}
	closeCtx, cancelClose := context.WithTimeout(s.ctx, shutdownTimeout)
	err := chromedp.Cancel(closeCtx)
	cancelClose()
	s.cancel()
	s.cancelAlloc()
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, chromedp.ErrInvalidContext) {
		fmt.Fprintf(os.Stderr, "browser: closing the shared Chromium: %v\n", err)
	}
	if killed := reap(s.dir, leftoverGrace); len(killed) > 0 {
		fmt.Fprintf(os.Stderr, "browser: killed %d Chromium processes that outlived the shared browser: %v\n", len(killed), killed)
	}
	_ = os.RemoveAll(s.dir)
	s.ctx, s.cancel, s.cancelAlloc, s.dir = nil, nil, nil, ""
}
