package provider_test

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// stepCounter serves the test server's handler on its own port, counting
// the statements each request runs, by path; logs keeps, by path, the
// queries of the latest request (transaction control included).
type stepCounter struct {
	mu    sync.Mutex
	stmts map[string]int
	hits  map[string]int
	spent map[string]time.Duration
	logs  map[string][]string
	port  string
}

func countSteps(b testing.TB, srv *testserver.Server) *stepCounter {
	b.Helper()
	sc := &stepCounter{}
	sc.reset()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	_, sc.port, _ = net.SplitHostPort(ln.Addr().String())
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, count := db.CountStatements(r.Context())
		start := time.Now()
		srv.App.Handler.ServeHTTP(w, r.WithContext(ctx))
		spent := time.Since(start)
		sc.mu.Lock()
		sc.stmts[r.Method+" "+r.URL.Path] += count.N()
		sc.spent[r.Method+" "+r.URL.Path] += spent
		sc.hits[r.Method+" "+r.URL.Path]++
		sc.logs[r.Method+" "+r.URL.Path] = count.Log()
		sc.mu.Unlock()
	})}
	go func() { _ = hs.Serve(ln) }()
	b.Cleanup(func() { _ = hs.Shutdown(context.Background()) })
	return sc
}

// browser returns a fresh browser (no cookies) whose requests reach the
// counting server.
func (sc *stepCounter) browser(b testing.TB, srv *testserver.Server) *browser {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+sc.port)
	}}
	return &browser{t: &testing.T{}, srv: srv, origin: srv.URL("acme"), http: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (sc *stepCounter) report(b *testing.B) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	keys := make([]string, 0, len(sc.stmts))
	for k := range sc.stmts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.NewReplacer(" ", "_", "/", "_").Replace(k)
		b.ReportMetric(float64(sc.stmts[k])/float64(b.N), "stmts_"+name+"/op")
		b.ReportMetric(float64(sc.spent[k].Microseconds())/float64(b.N), "µs_"+name+"/op")
	}
}

// signInBench is a server with a tenant, a user with a passkey on dev and
// an ES256 web application, whose requests a stepCounter counts.
type signInBench struct {
	srv   *testserver.Server
	sc    *stepCounter
	dev   *device
	conf  oauth2.Config
	rpCtx context.Context
	// t receives the browser helpers' failures: a test's own, or, in a
	// benchmark, one checked after the loop.
	t *testing.T
}

func newSignInBench(tb testing.TB, backend testdb.Backend, t *testing.T) *signInBench {
	srv := testserver.Start(tb, backend, testserver.Options{})
	tn := srv.CreateTenant(tb, "acme", "Acme")
	h := &signInBench{srv: srv, sc: countSteps(tb, srv), dev: newDevice(srv, "acme"), t: t}
	first := h.sc.browser(tb, srv)
	first.t = t
	first.signUp(h.dev, "ana@example.com")
	c, err := apps.Create(context.Background(), srv.DB.ForTenant(tn.ID), apps.Spec{Name: "Shop", Type: apps.TypeWeb, FirstParty: true,
		RedirectURIs: []string{redirectURI}, IDTokenAlg: apps.AlgES256}, time.Now())
	require.NoError(tb, err)
	rpClient := h.sc.browser(tb, srv).http
	rpClient.Jar, rpClient.CheckRedirect = nil, nil
	h.rpCtx = context.WithValue(context.Background(), oauth2.HTTPClient, rpClient)
	h.conf = oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, RedirectURL: redirectURI, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL("acme") + "/oidc/authorize", TokenURL: srv.URL("acme") + "/oidc/token", AuthStyle: oauth2.AuthStyleInHeader}}
	return h
}

// passkey is a bare passkey sign-in in a fresh browser: begin and finish.
func (h *signInBench) passkey(tb testing.TB) {
	br := h.sc.browser(tb, h.srv)
	br.t = h.t
	br.signInWithPasskey(h.dev)
}

// app is the same sign-in for the application, in a fresh browser:
// authorize, passkey begin and finish on the page opened for the request
// (whose finish answers the client), the code exchange; it returns the
// request's authorization URL (at) on the sign-in page.
func (h *signInBench) app(tb testing.TB) (at *url.URL) {
	at, _ = h.appIn(tb, h.sc.browser(tb, h.srv))
	return at
}

// appIn is app in the browser br; it also returns br's device cookie
// after the sign-in (see returning).
func (h *signInBench) appIn(tb testing.TB, br *browser) (at *url.URL, device []*http.Cookie) {
	br.t = h.t
	verifier := oauth2.GenerateVerifier()
	at = br.follow(h.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	out := br.signInForRequest(h.dev, at.Query().Get("authRequest"))
	to, _ := out["redirect"].(string)
	back, err := url.Parse(to)
	if err != nil || back.Query().Get("code") == "" {
		tb.Fatalf("the passkey finish answers the client: %v", out)
	}
	tok, err := h.conf.Exchange(h.rpCtx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.Extra("id_token") == nil {
		tb.Fatalf("code exchange: %v", err)
	}
	origin, _ := url.Parse(br.origin)
	for _, c := range br.http.Jar.Cookies(origin) {
		if strings.HasSuffix(c.Name, "sesame_device") {
			device = append(device, c)
		}
	}
	return at, device
}

// returning is a fresh browser (no session) that keeps the device cookie
// an earlier sign-in left: the person's own browser, signed out.
func (h *signInBench) returning(tb testing.TB, device []*http.Cookie) *browser {
	br := h.sc.browser(tb, h.srv)
	origin, _ := url.Parse(br.origin)
	br.http.Jar.SetCookies(origin, device)
	return br
}

// ratioMetric is the unit of the app/passkey cost ratio the benchmark
// reports.
const ratioMetric = "app/passkey"

// benchRatio times bare and application sign-ins alternately, so that a
// machine busy with something else slows both alike, and reports the
// ratio of their costs.
func benchRatio(b *testing.B, h *signInBench) {
	var bare, app time.Duration
	for b.Loop() {
		start := time.Now()
		h.passkey(b)
		mid := time.Now()
		h.app(b)
		bare, app = bare+mid.Sub(start), app+time.Since(mid)
	}
	b.ReportMetric(float64(app)/float64(bare), ratioMetric)
	b.ReportMetric(float64(bare.Microseconds())/float64(b.N), "µs_passkey/op")
	b.ReportMetric(float64(app.Microseconds())/float64(b.N), "µs_app/op")
}

// BenchmarkAppSignIn compares, in one run, a bare passkey sign-in through
// the flow API with the same sign-in for an application (ES256): authorize,
// the hosted sign-in's passkey begin and finish (which answers the client
// with a code), and the code exchange for a signed ID token. Statements and time are
// reported per request path; "ratio" alternates the two and reports
// app/passkey, the figure of the performance budget (DESIGN.md §9).
func BenchmarkAppSignIn(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(string(backend), func(b *testing.B) {
			t := &testing.T{}
			h := newSignInBench(b, backend, t)
			b.Run("passkey", func(b *testing.B) {
				h.sc.reset()
				for b.Loop() {
					h.passkey(b)
				}
				h.sc.report(b)
			})
			b.Run("app", func(b *testing.B) {
				h.sc.reset()
				for b.Loop() {
					h.app(b)
				}
				h.sc.report(b)
			})
			b.Run("ratio", func(b *testing.B) { benchRatio(b, h) })
			if t.Failed() {
				b.Fatal("a step failed")
			}
		})
	}
}

// last returns the queries of the latest request to key ("METHOD /path").
func (sc *stepCounter) last(key string) []string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.logs[key]
}

// reset forgets what was counted.
func (sc *stepCounter) reset() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.stmts, sc.hits, sc.spent, sc.logs = map[string]int{}, map[string]int{}, map[string]time.Duration{}, map[string][]string{}
}

// requests returns how many requests to key were served since reset.
func (sc *stepCounter) requests(key string) int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.hits[key]
}
