package federation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// discoveryTTL is how long an upstream's discovery document (and with it
// its key set) is kept in the process.
const discoveryTTL = 10 * time.Minute

// Upstream talks to connectors' providers: discovery, the authorization
// URL, the code exchange and the checks of what comes back. One per
// process; it keeps each issuer's discovery for discoveryTTL.
type Upstream struct {
	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cachedProvider
}

type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

// NewUpstream returns an Upstream on client (nil: a client with a 15 s
// timeout that, as browsers do, dials localhost names on the loopback
// address).
func NewUpstream(client *http.Client) *Upstream {
	if client == nil {
		client = loopbackClient()
	}
	return &Upstream{client: client, now: time.Now, cache: map[string]cachedProvider{}}
}

// Endpoints are a connector's resolved provider: Prepare fetches them
// before a flow's transaction, so no step waits on the network while it
// holds the database.
type Endpoints struct {
	ConnectorID string
	// Callback is the connector's callback URL under the tenant's origin.
	Callback string
	oauth    oauth2.Endpoint
	provider *oidc.Provider
	// issuer and issParam are the provider's discovered issuer and its
	// authorization_response_iss_parameter_supported (RFC 9207).
	issuer   string
	issParam bool
	// FormPost is the connector's response_mode=form_post; State is then
	// the flow's token sealed (SealFormPostState), set by the door before
	// federation.begin, so that the cross-site post finds its flow.
	FormPost bool
	State    string
}

// Prepare resolves c's endpoints (discovery for an OpenID Provider);
// callback is c's CallbackURL.
func (u *Upstream) Prepare(ctx context.Context, c *Connector, callback string) (*Endpoints, error) {
	e := &Endpoints{ConnectorID: c.ID.String(), Callback: callback, FormPost: c.Settings.FormPost()}
	if c.Settings.UserURL != "" {
		e.oauth = oauth2.Endpoint{AuthURL: c.Settings.AuthURL, TokenURL: c.Settings.TokenURL}
		return e, nil
	}
	p, err := u.provider(ctx, c.Settings.Issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		Issuer   string `json:"issuer"`
		ISSParam bool   `json:"authorization_response_iss_parameter_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", c.Settings.Issuer, err)
	}
	e.provider, e.oauth, e.issuer, e.issParam = p, p.Endpoint(), meta.Issuer, meta.ISSParam
	return e, nil
}

func (u *Upstream) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	u.mu.Lock()
	c, ok := u.cache[issuer]
	u.mu.Unlock()
	if ok && u.now().Sub(c.at) < discoveryTTL {
		return c.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, u.client), issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
	}
	u.mu.Lock()
	u.cache[issuer] = cachedProvider{p: p, at: u.now()}
	u.mu.Unlock()
	return p, nil
}

func config(c *Connector, e *Endpoints) *oauth2.Config {
	return &oauth2.Config{ClientID: c.Settings.ClientID, ClientSecret: c.Secret, Endpoint: e.oauth, RedirectURL: e.Callback, Scopes: c.Settings.Scopes}
}

// Pending is what a flow keeps while the person is upstream: the state's
// hash, the nonce and the PKCE verifier. It never leaves the server.
type Pending struct {
	ConnectorID string `json:"connector_id"`
	StateHash   string `json:"state_hash"`
	Nonce       string `json:"nonce,omitempty"`
	Verifier    string `json:"verifier,omitempty"`
	// AuthRequest is the application's authorization request the sign-in
	// was started for, answered when the callback signs in.
	AuthRequest string `json:"auth_request,omitempty"`
	// RequestID is a saml connector's AuthnRequest ID (saml.go).
	RequestID string `json:"request_id,omitempty"`
	// Asserted is who a saml IdP's checked assertion says signed in,
	// recorded by the ACS (cross-site, without the browser's cookie) for
	// federation.finish to sign in with on the same-site resume.
	Asserted *Identity `json:"asserted,omitempty"`
}

// AuthURL returns where the browser goes to sign in upstream, and what
// the flow keeps to check the answer.
func AuthURL(c *Connector, e *Endpoints) (string, *Pending) {
	state, nonce := random(), random()
	opts := []oauth2.AuthCodeOption{}
	if e.FormPost {
		state = e.State
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", ResponseModeFormPost))
	}
	p := &Pending{ConnectorID: c.ID.String(), StateHash: hashState(state)}
	if e.provider != nil {
		p.Nonce = nonce
		opts = append(opts, oidc.Nonce(nonce))
	}
	if c.Settings.PKCE {
		p.Verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(p.Verifier))
	}
	return config(c, e).AuthCodeURL(state, opts...), p
}

// StateMatches reports whether state is the one p was made with.
func (p *Pending) StateMatches(state string) bool {
	return state != "" && subtle.ConstantTimeCompare([]byte(hashState(state)), []byte(p.StateHash)) == 1
}

func hashState(s string) string {
	h := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func loopbackClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && isLoopback(host) && host != "127.0.0.1" && host != "::1" {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dialer.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

// isLoopback reports whether host is a loopback name or address
// (localhost and *.localhost resolve there, RFC 6761 §6.3).
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
