package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/testop"
	"github.com/sesame-id/sesame/internal/testserver"
)

// upstreamPassword is the password of the upstream tenant's users.
const upstreamPassword = "correct horse battery staple 7"

// pair is two tenants of one server: up, an OpenID Provider (Sesame as
// every tenant is), and acme, which federates to it through connector.
type pair struct {
	t         *testing.T
	srv       *testserver.Server
	up, acme  db.Scope
	connector *federation.Connector
	appID     uuid.UUID
	// op is the node provider, for the pairs newNodeOP makes.
	op *testop.OP
}

// newPair makes the two tenants, registers acme's connector as a
// first-party web application of up (its redirect URI the connector's
// callback URL) and creates the connector with kind and domains.
func newPair(t *testing.T, srv *testserver.Server, kind string, domains ...string) *pair {
	t.Helper()
	return newPairAMR(t, srv, kind, false, domains...)
}

// newPairAMR is newPair whose connector trusts up's amr when trustAMR.
func newPairAMR(t *testing.T, srv *testserver.Server, kind string, trustAMR bool, domains ...string) *pair {
	t.Helper()
	ctx := t.Context()
	up := srv.CreateTenant(t, "upstream", "Upstream")
	acme := srv.CreateTenant(t, "acme", "Acme")
	p := &pair{t: t, srv: srv, up: srv.DB.ForTenant(up.ID), acme: srv.DB.ForTenant(acme.ID)}
	created, err := apps.Create(ctx, p.up, apps.Spec{Name: "Acme", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{"http://127.0.0.1/placeholder"}}, time.Now())
	require.NoError(t, err)
	p.appID = created.App.ID
	trust := true
	p.connector, err = federation.Create(ctx, p.acme, federation.Spec{
		Name: "Upstream", Kind: kind, Type: federation.TypeOIDC, Issuer: srv.URL("upstream"),
		ClientID: created.App.ClientID, Secret: created.Secret, Domains: domains, DomainsVerified: true, TrustEmailVerified: &trust,
		TrustUpstreamAMR: &trustAMR,
	}, time.Now())
	require.NoError(t, err)
	callback := federation.CallbackURL(srv.URL("acme"), p.connector.ID)
	_, err = apps.Update(ctx, p.up, created.App.ID, apps.Change{RedirectURIs: []string{callback}}, time.Now())
	require.NoError(t, err)
	return p
}

// upstreamUser makes a user of up with a verified email and a password.
func (p *pair) upstreamUser(email string) uuid.UUID {
	return makeUser(p.t, p.up, email, upstreamPassword)
}

func makeUser(t *testing.T, scope db.Scope, email, pw string) uuid.UUID {
	t.Helper()
	hash, err := password.Hash(pw)
	require.NoError(t, err)
	now := time.Now().UTC()
	u := &db.User{WebAuthnHandle: []byte(email), DisplayName: strings.Split(email, "@")[0], PasswordHash: hash}
	require.NoError(t, scope.Users().Create(t.Context(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: email, VerifiedAt: &now, CreatedAt: now}))
	return u.ID
}

// browser keeps cookies across both tenants' hosts and never follows a
// redirect by itself.
type browser struct {
	t    *testing.T
	http *http.Client
}

func newBrowser(t *testing.T, srv *testserver.Server) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}
	return &browser{t: t, http: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   []byte
	url    *url.URL
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	return out
}

// location is the redirect's target, resolved against the request's URL.
func (r response) location(t *testing.T) *url.URL {
	t.Helper()
	to, err := r.url.Parse(r.header.Get("Location"))
	require.NoError(t, err)
	return to
}

func (b *browser) do(method, target string, body any, headers map[string]string) response {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(b.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, target, rd)
	require.NoError(b.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := b.http.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return response{status: res.StatusCode, header: res.Header, body: raw, url: req.URL}
}

// begin starts a sign-in on acme with the connector and returns the
// flow's token and the provider's authorization URL.
func (b *browser) begin(origin string, connector uuid.UUID, headers map[string]string) (string, *url.URL) {
	b.t.Helper()
	r := b.do(http.MethodPost, origin+"/api/flows/sign-in", map[string]any{"action": "federation.begin", "input": map[string]any{"connector": connector.String()}}, headers)
	require.Equal(b.t, http.StatusCreated, r.status, string(r.body))
	out := r.json(b.t)
	flow := out["flow"].(map[string]any)
	require.Equal(b.t, "upstream", flow["state"])
	to, err := url.Parse(out["result"].(map[string]any)["redirect"].(string))
	require.NoError(b.t, err)
	return flow["token"].(string), to
}

// upstreamSignIn follows the authorization URL to up's sign-in page and
// signs in there with a password, returning where up sends the browser
// back (acme's callback with code and state).
func (b *browser) upstreamSignIn(authorize *url.URL, email string) *url.URL {
	b.t.Helper()
	r := b.do(http.MethodGet, authorize.String(), nil, nil)
	require.Equal(b.t, http.StatusFound, r.status, string(r.body))
	page := r.location(b.t)
	require.Equal(b.t, "/", page.Path, "up's hosted sign-in page")
	id := page.Query().Get("authRequest")
	origin := page.Scheme + "://" + page.Host
	h := map[string]string{"X-Sesame-Auth-Request": id, "Origin": origin}
	r = b.do(http.MethodPost, origin+"/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, h)
	require.Equal(b.t, http.StatusCreated, r.status, string(r.body))
	h["X-Sesame-Flow"] = r.json(b.t)["flow"].(map[string]any)["token"].(string)
	r = b.do(http.MethodPost, origin+"/api/flows/sign-in/password", map[string]any{"password": upstreamPassword}, h)
	require.Equal(b.t, http.StatusOK, r.status, string(r.body))
	to, err := url.Parse(r.json(b.t)["redirect"].(string))
	require.NoError(b.t, err)
	return to
}

// counts is what a refused callback must not change.
type counts struct{ users, identities, sessions int }

func (p *pair) counts() counts {
	p.t.Helper()
	ctx := p.t.Context()
	users, _, err := p.acme.Users().List(ctx, db.UserPage{Limit: 100})
	require.NoError(p.t, err)
	c := counts{users: len(users)}
	for _, u := range users {
		ids, err := p.acme.FederatedIdentities().ByUser(ctx, u.ID)
		require.NoError(p.t, err)
		ss, err := p.acme.Sessions().ByUser(ctx, u.ID, time.Now())
		require.NoError(p.t, err)
		c.identities += len(ids)
		c.sessions += len(ss)
	}
	return c
}

const rpRedirect = "http://127.0.0.1:9999/cb"

// relyingParty is a first-party web application of a tenant, on go-oidc
// and oauth2 over the loopback client.
type relyingParty struct {
	conf     *oauth2.Config
	verifier *gooidc.IDTokenVerifier
	ctx      context.Context
}

func newRelyingParty(t *testing.T, srv *testserver.Server, scope db.Scope, issuer string) *relyingParty {
	t.Helper()
	created, err := apps.Create(t.Context(), scope, apps.Spec{Name: "Shop", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{rpRedirect}}, time.Now())
	require.NoError(t, err)
	c := newBrowser(t, srv).http
	c.Jar, c.CheckRedirect = nil, nil
	ctx := context.WithValue(gooidc.ClientContext(t.Context(), c), oauth2.HTTPClient, c)
	p, err := gooidc.NewProvider(ctx, issuer)
	require.NoError(t, err)
	return &relyingParty{
		conf: &oauth2.Config{ClientID: created.App.ClientID, ClientSecret: created.Secret, Endpoint: p.Endpoint(), RedirectURL: rpRedirect,
			Scopes: []string{gooidc.ScopeOpenID, "email"}},
		verifier: p.Verifier(&gooidc.Config{ClientID: created.App.ClientID}),
		ctx:      ctx,
	}
}
