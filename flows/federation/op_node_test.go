package federation_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testop"
	"github.com/sesame-id/sesame/internal/testserver"
)

// opSecret is the client secret of acme's connector at the node provider.
const opSecret = "op-client-secret-for-acme"

// newNodeOP starts oidc-provider with one client, acme's connector (its
// token endpoint authentication tokenAuth), and ana and bo, whose
// addresses the provider says it verified; it creates the connector
// (issuer discovery) and returns it as a pair whose acme is the tenant.
func newNodeOP(t *testing.T, srv *testserver.Server, tokenAuth string) *pair {
	t.Helper()
	return newNodeOPMode(t, srv, tokenAuth, "")
}

// newNodeOPMode is newNodeOP with the connector's response mode.
func newNodeOPMode(t *testing.T, srv *testserver.Server, tokenAuth, responseMode string) *pair {
	t.Helper()
	acme := srv.CreateTenant(t, "acme", "Acme")
	p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(acme.ID)}
	id := uuid.New()
	op := testop.Start(t, testop.Options{
		ClientID: "sesame-acme", Secret: opSecret, RedirectURI: federation.CallbackURL(srv.URL("acme"), id), TokenAuth: tokenAuth,
		Accounts: map[string]testop.Account{
			"ana": {Email: "ana@example.com", EmailVerified: true, Name: "Ana"},
			"bo":  {Email: "bo@example.com", EmailVerified: true, Name: "Bo"},
		},
	})
	p.op = op
	trust := true
	var err error
	p.connector, err = federation.Create(t.Context(), p.acme, federation.Spec{
		ID: id, Name: "Node OP", Kind: federation.KindSocial, Type: federation.TypeOIDC, Issuer: op.Issuer,
		ClientID: "sesame-acme", Secret: opSecret, TrustEmailVerified: &trust, ResponseMode: responseMode,
	}, time.Now())
	require.NoError(t, err)
	return p
}

// newOPBrowser is a browser that reaches the server's *.localhost hosts
// and the provider on 127.0.0.1.
func newOPBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, "localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	return &browser{t: t, http: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	formPrompt = regexp.MustCompile(`name="prompt" value="(\w+)"`)
)

// opSignIn follows the authorization URL through oidc-provider's own
// pages, signing in as login and consenting, and returns where the
// provider sends the browser back, and the prompts it answered.
func (b *browser) opSignIn(authorize *url.URL, login string) (*url.URL, []string) {
	b.t.Helper()
	next, prompts, _ := b.opWalk(authorize, login)
	return next, prompts
}

// opWalk is opSignIn that also returns, when the provider answers with
// response_mode=form_post, the form its page posts to the returned URL.
func (b *browser) opWalk(authorize *url.URL, login string) (*url.URL, []string, url.Values) {
	b.t.Helper()
	next, prompts := authorize, []string{}
	for range 12 {
		if next.Host != authorize.Host {
			return next, prompts, nil
		}
		r := b.do(http.MethodGet, next.String(), nil, nil)
		if r.status == http.StatusFound || r.status == http.StatusSeeOther {
			next = r.location(b.t)
			continue
		}
		require.Equal(b.t, http.StatusOK, r.status, string(r.body))
		if to, form := formPostPage(r); to != nil {
			return to, prompts, form
		}
		action, prompt := formAction.FindSubmatch(r.body), formPrompt.FindSubmatch(r.body)
		require.NotNil(b.t, action, string(r.body))
		require.NotNil(b.t, prompt, string(r.body))
		prompts = append(prompts, string(prompt[1]))
		form := url.Values{"prompt": {string(prompt[1])}, "login": {login}, "password": {"any"}}
		to, err := next.Parse(string(action[1]))
		require.NoError(b.t, err)
		res, err := b.http.PostForm(to.String(), form)
		require.NoError(b.t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		require.Contains(b.t, []int{http.StatusFound, http.StatusSeeOther}, res.StatusCode)
		next, err = to.Parse(res.Header.Get("Location"))
		require.NoError(b.t, err)
	}
	b.t.Fatalf("oidc-provider did not send the browser back: at %s", next)
	return nil, nil, nil
}

// withParam is u with the query parameter key set to value, or removed
// when value is nil.
func withParam(u *url.URL, key string, value *string) string {
	c := *u
	q := c.Query()
	q.Del(key)
	if value != nil {
		q.Set(key, *value)
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// TestFederation_OIDCProviderUpstream: acme's users sign in through
// oidc-provider, a certified OpenID Provider on 127.0.0.1 (a Node.js
// process), found by issuer discovery: Sesame sends PKCE S256, a nonce
// and a state; the provider's login and consent pages send the browser
// back; the code is exchanged with client_secret_basic, the ID token
// checked, the address read from userinfo (the provider keeps the ID
// token to sub, as the standard says for the code flow), and an account
// is made from the verified address. A forged state, an iss that is not
// the provider's (RFC 9207) or none, and the same answer again are
// refused with a 4xx page that writes nothing. The next sign-in goes to
// the same account.
func TestFederation_OIDCProviderUpstream(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newNodeOP(t, srv, "")
			acme := srv.URL("acme")
			ctx := t.Context()

			br := newOPBrowser(t)
			_, authorize := br.begin(acme, p.connector.ID, nil)
			require.Equal(t, p.connector.Settings.Issuer+"/auth", authorize.Scheme+"://"+authorize.Host+authorize.Path)
			q := authorize.Query()
			require.Equal(t, "S256", q.Get("code_challenge_method"))
			require.NotEmpty(t, q.Get("nonce"))
			require.NotEmpty(t, q.Get("state"))
			callback, prompts := br.opSignIn(authorize, "ana")
			require.Equal(t, []string{"login", "consent"}, prompts)
			require.Equal(t, federation.CallbackURL(acme, p.connector.ID), callback.Scheme+"://"+callback.Host+callback.Path)
			require.Equal(t, p.connector.Settings.Issuer, callback.Query().Get("iss"), "oidc-provider sends iss (RFC 9207)")

			before := p.counts()
			refused := func(target, code string) {
				t.Helper()
				r := br.do(http.MethodGet, target, nil, nil)
				require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
				require.Contains(t, string(r.body), `data-code="`+code+`"`)
				require.Equal(t, before, p.counts())
			}
			forged, mixedUp := "forged", "http://127.0.0.1:1"
			refused(withParam(callback, "state", &forged), "federation_state")
			refused(withParam(callback, "iss", &mixedUp), "federation_failed")
			refused(withParam(callback, "iss", nil), "federation_failed")

			// The real answer signs in: a new account, linked to the
			// provider's subject, with the verified address.
			r := br.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, "/account", r.header.Get("Location"))
			after := p.counts()
			require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, after)
			ana, err := p.acme.Users().ByIdentifier(ctx, db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			held, err := p.acme.Users().Identifier(ctx, db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.NotNil(t, held.VerifiedAt)
			ids, err := p.acme.FederatedIdentities().ByUser(ctx, ana.ID)
			require.NoError(t, err)
			require.Len(t, ids, 1)
			require.Equal(t, "ana", ids[0].Subject)
			me := br.do(http.MethodPost, acme+"/graphql", map[string]any{"query": "{ me { id } }"}, map[string]string{"X-Sesame-Request": "1"})
			require.Contains(t, string(me.body), ana.ID.String(), "the browser is signed in to acme")

			// The same answer again: the flow is gone.
			before = after
			refused(callback.String(), "federation_state")

			// A second sign-in, in another browser, goes to the same account.
			br2 := newOPBrowser(t)
			_, authorize = br2.begin(acme, p.connector.ID, nil)
			callback, _ = br2.opSignIn(authorize, "ana")
			r = br2.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, counts{users: 1, identities: 1, sessions: 2}, p.counts())
			again, err := p.acme.Users().ByIdentifier(ctx, db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.Equal(t, ana.ID, again.ID)
		})
	}
}

// TestFederation_OIDCProviderClientSecretPost: a client the provider
// registered for client_secret_post (it refuses the secret in a basic
// header) is served too: the code exchange finds the method the provider
// takes, and bo signs in.
func TestFederation_OIDCProviderClientSecretPost(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	p := newNodeOP(t, srv, "client_secret_post")
	br := newOPBrowser(t)
	_, authorize := br.begin(srv.URL("acme"), p.connector.ID, nil)
	callback, _ := br.opSignIn(authorize, "bo")
	r := br.do(http.MethodGet, callback.String(), nil, nil)
	require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
	require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, p.counts())
	_, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "bo@example.com")
	require.NoError(t, err)
}

// TestFederation_OIDCProviderCancelledSignInIsRefused: the person cancels
// on the provider's login page; the provider sends the browser back with
// access_denied and the flow's state, which is refused with a 4xx page
// that writes nothing.
func TestFederation_OIDCProviderCancelledSignInIsRefused(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newNodeOP(t, srv, "")
			br := newOPBrowser(t)
			_, authorize := br.begin(srv.URL("acme"), p.connector.ID, nil)
			r := br.do(http.MethodGet, authorize.String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			next := r.location(t)
			require.True(t, strings.HasPrefix(next.Path, "/interaction/"), next.String())
			next = next.JoinPath("abort")
			for next.Host == authorize.Host {
				r = br.do(http.MethodGet, next.String(), nil, nil)
				require.Contains(t, []int{http.StatusFound, http.StatusSeeOther}, r.status, string(r.body))
				next = r.location(t)
			}
			require.Equal(t, "access_denied", next.Query().Get("error"))
			require.NotEmpty(t, next.Query().Get("state"))
			r = br.do(http.MethodGet, next.String(), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_failed"`)
			require.Equal(t, counts{}, p.counts())
		})
	}
}
