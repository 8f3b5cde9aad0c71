package provider_test

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
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
	spent map[string]time.Duration
	logs  map[string][]string
	port  string
}

func countSteps(b testing.TB, srv *testserver.Server) *stepCounter {
	b.Helper()
	sc := &stepCounter{stmts: map[string]int{}, spent: map[string]time.Duration{}, logs: map[string][]string{}}
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

// BenchmarkAppSignIn compares, in one run, a bare passkey sign-in through
// the flow API with the same sign-in for an application (ES256): authorize,
// the hosted sign-in's passkey begin and finish, the return with a code,
// and the code exchange for a signed ID token. Statements are reported per
// request path.
func BenchmarkAppSignIn(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(string(backend), func(b *testing.B) {
			srv := testserver.Start(b, backend, testserver.Options{})
			srv.CreateTenant(b, "acme", "Acme")
			t := &testing.T{}
			dev := newDevice(srv, "acme")
			sc := countSteps(b, srv)
			first := sc.browser(b, srv)
			first.t = t
			first.signUp(dev, "ana@example.com")
			tn, err := srv.Tenants.BySlug(context.Background(), "acme")
			require.NoError(b, err)
			c, err := apps.Create(context.Background(), srv.DB.ForTenant(tn.ID), apps.Spec{Name: "Shop", Type: apps.TypeWeb,
				RedirectURIs: []string{redirectURI}, IDTokenAlg: apps.AlgES256}, time.Now())
			require.NoError(b, err)
			rpClient := sc.browser(b, srv).http
			rpClient.Jar, rpClient.CheckRedirect = nil, nil
			rpCtx := context.WithValue(context.Background(), oauth2.HTTPClient, rpClient)
			conf := oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, RedirectURL: redirectURI, Scopes: []string{"openid"},
				Endpoint: oauth2.Endpoint{AuthURL: srv.URL("acme") + "/oidc/authorize", TokenURL: srv.URL("acme") + "/oidc/token", AuthStyle: oauth2.AuthStyleInHeader}}

			b.Run("passkey", func(b *testing.B) {
				sc.reset()
				for b.Loop() {
					br := sc.browser(b, srv)
					br.t = t
					br.signInWithPasskey(dev)
				}
				sc.report(b)
			})
			b.Run("app", func(b *testing.B) {
				sc.reset()
				for b.Loop() {
					br := sc.browser(b, srv)
					br.t = t
					verifier := oauth2.GenerateVerifier()
					at := br.follow(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
					br.signInWithPasskey(dev)
					back := br.follow(br.origin + "/oidc/login?id=" + url.QueryEscape(at.Query().Get("authRequest")))
					tok, err := conf.Exchange(rpCtx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
					if err != nil || tok.Extra("id_token") == nil {
						b.Fatal(err)
					}
				}
				sc.report(b)
				if slices.Contains([]bool{t.Failed()}, true) {
					b.Fatal("a step failed")
				}
			})
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
	sc.stmts, sc.spent, sc.logs = map[string]int{}, map[string]time.Duration{}, map[string][]string{}
}
