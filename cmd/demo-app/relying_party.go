package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/internal/demo"
)

// relyingParty is the demo app's side of OpenID Connect for one client
// file: the provider found by discovery and the OAuth 2.0 configuration.
type relyingParty struct {
	client     demo.Client
	provider   *oidc.Provider
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
}

// relyingParties keeps the relying party of the client file's current
// contents: a new secret or issuer written by `serve --demo` is picked up
// on the next sign-in, and discovery runs once per contents.
type relyingParties struct {
	path string
	http *http.Client
	mu   sync.Mutex
	rp   *relyingParty
}

// get reads the client file and returns its relying party, running
// discovery when the file changed.
func (rps *relyingParties) get(ctx context.Context) (*relyingParty, error) {
	c, err := demo.ReadClient(rps.path)
	if err != nil {
		return nil, err
	}
	rps.mu.Lock()
	defer rps.mu.Unlock()
	if rps.rp != nil && rps.rp.client == c {
		return rps.rp, nil
	}
	p, err := oidc.NewProvider(rps.context(ctx), c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", c.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", c.Issuer, err)
	}
	rps.rp = &relyingParty{
		client:   c,
		provider: p,
		oauth: oauth2.Config{
			ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURI,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
		},
		verifier:   p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		endSession: extra.EndSession,
	}
	return rps.rp, nil
}

// context carries the demo app's HTTP client to go-oidc and oauth2.
func (rps *relyingParties) context(ctx context.Context) context.Context {
	return context.WithValue(oidc.ClientContext(ctx, rps.http), oauth2.HTTPClient, rps.http)
}

// newHTTPClient is the client the demo app calls Sesame with. Browsers
// resolve localhost and every *.localhost name to the loopback address
// (RFC 6761 §6.3), which is how the demo tenant is reached at
// demo.localhost:8080; Go's resolver asks DNS instead, so this client dials
// such names on 127.0.0.1 itself.
func newHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && isLocalhost(host) {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dialer.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

func isLocalhost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
