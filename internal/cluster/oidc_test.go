package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/internal/browser"
)

// appServer is the application's origin: its redirect URI hands the code
// to the test and shows a page.
func (c *cluster) appServer() (redirect string, codes <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(c.t, err)
	ch := make(chan string, 4)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch <- r.URL.Query().Get("code")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>App</title><link rel="icon" href="data:,"></head><body><p id="back">Back in the app</p></body></html>`)
	})}
	go func() { _ = srv.Serve(ln) }()
	c.t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String() + "/callback", ch
}

// createApp registers a first-party web application with the CLI, as an
// operator would, and returns what `sesame app create --json` prints.
func (c *cluster) createApp(slug, redirect string) (clientID, secret, issuer string) {
	c.t.Helper()
	cmd := exec.Command(c.bin, "app", "create", "--tenant", slug, "--name", "Shop", "--type", "web",
		"--redirect-uri", redirect, "--first-party", "--json")
	cmd.Env = c.env
	out, err := cmd.Output()
	require.NoError(c.t, err, "sesame app create: %s", out)
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Issuer       string `json:"issuer"`
	}
	require.NoError(c.t, json.Unmarshal(out, &app), "%s", out)
	return app.ClientID, app.ClientSecret, app.Issuer
}

// rp is the application's HTTP client: every host dialled at HAProxy, and
// the node that answered each path recorded.
type rp struct {
	base  http.RoundTripper
	mu    sync.Mutex
	nodes map[string]string // path → node of its latest answer
}

func (r *rp) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.nodes[req.URL.Path] = resp.Header.Get(nodeHeader)
		r.mu.Unlock()
	}
	return resp, err
}

func (r *rp) node(path string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nodes[path]
}

// oidcJourney: an application registered by the CLI signs a person in by
// the authorization code flow with PKCE (go-oidc and x/oauth2), Chromium
// doing the passkey sign-in on the tenant's page. The code is exchanged on
// another node than the one that issued it, and the ID token verified
// against the keys a third node serves: codes and signing keys live in
// the database, not in a node's memory. HAProxy's round-robin is steered
// to those nodes by probes (requests to /healthz) before each request.
func (c *cluster) oidcJourney(tab *browser.Tab, slug, email string) {
	t := c.t
	t.Helper()
	redirect, codes := c.appServer()
	clientID, secret, issuer := c.createApp(slug, redirect)
	require.Equal(t, c.origin(slug), issuer)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	rec := &rp{nodes: make(map[string]string), base: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, c.proxy)
	}}}
	hc := &http.Client{Transport: rec, Timeout: 30 * time.Second}
	ctx := context.WithValue(gooidc.ClientContext(t.Context(), hc), oauth2.HTTPClient, hc)
	op, err := gooidc.NewProvider(ctx, issuer)
	require.NoError(t, err)
	conf := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: op.Endpoint(), RedirectURL: redirect, Scopes: []string{"openid", "email"}}

	verifier := oauth2.GenerateVerifier()
	tab.Navigate(t, conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)))
	tab.WaitVisible(t, "#passkey-button")
	tab.Click(t, "#passkey-button")
	tab.WaitVisible(t, "#back")
	var code string
	select {
	case code = <-codes:
	case <-time.After(codeWait):
		t.Fatal("no code reached the application")
	}
	// The sign-in's last flow step made the code and answered with the
	// redirect to the application.
	issued, issuedAt := c.lastServed(slug+"."+c.base, "/api/flows/sign-in/")
	require.Equal(t, "/api/flows/sign-in/passkey.finish", issuedAt)

	c.steerAway(issued)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	exchanged := rec.node(strings.TrimPrefix(op.Endpoint().TokenURL, issuer))
	require.NotEqual(t, issued, exchanged, "the code was exchanged on the node that issued it")

	c.steerAway(issued, exchanged)
	idt, err := op.Verifier(&gooidc.Config{ClientID: clientID}).Verify(ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	var claims struct {
		Email string `json:"email"`
	}
	require.NoError(t, idt.Claims(&claims))
	require.Equal(t, email, claims.Email)
	var keysNode string
	for path, n := range rec.nodes {
		if strings.Contains(path, "keys") {
			keysNode = n
		}
	}
	require.NotEmpty(t, keysNode, "the keys were not fetched: %v", rec.nodes)
	require.NotContains(t, []string{issued, exchanged}, keysNode, "the keys came from a node that issued or exchanged the code")
	t.Logf("oidc: code issued on %s (%s), exchanged on %s, keys from %s", issued, issuedAt, exchanged, keysNode)
}

// steerAway sends probes through HAProxy until its round-robin's next
// node is none of avoid.
func (c *cluster) steerAway(avoid ...string) {
	c.t.Helper()
	for range 2 * nodeCount {
		resp, err := http.Get("http://" + c.proxy + "/healthz")
		require.NoError(c.t, err)
		resp.Body.Close()
		last := slices.IndexFunc(c.nodes, func(n *node) bool { return n.name == resp.Header.Get(nodeHeader) })
		require.GreaterOrEqual(c.t, last, 0, "probe answered by %q", resp.Header.Get(nodeHeader))
		if !slices.Contains(avoid, c.nodes[(last+1)%len(c.nodes)].name) {
			return
		}
	}
	c.t.Fatalf("HAProxy's round-robin does not move past %v", avoid)
}

// lastServed returns the node whose access log has the latest request for
// host with a path starting with prefix, and that path.
func (c *cluster) lastServed(host, prefix string) (node, path string) {
	c.t.Helper()
	var latest time.Time
	for _, n := range c.nodes {
		for _, line := range strings.Split(c.nodeLog(n), "\n") {
			var l struct {
				Time time.Time `json:"time"`
				Msg  string    `json:"msg"`
				Host string    `json:"host"`
				Path string    `json:"path"`
			}
			if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "request" || l.Host != host || !strings.HasPrefix(l.Path, prefix) {
				continue
			}
			if l.Time.After(latest) {
				node, path, latest = n.name, l.Path, l.Time
			}
		}
	}
	require.NotEmpty(c.t, node, "no node served %s%s", host, prefix)
	return node, path
}
