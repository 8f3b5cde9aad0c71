package federation_test

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"
	crewjamsp "github.com/crewjam/saml/samlsp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/testserver"
)

// offsetClock is the wall clock moved by an offset the test sets: the
// server's clock, so an answer can be made to arrive late.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) Now() time.Time { return time.Now().UTC().Add(time.Duration(c.off.Load())) }

// samlIdP is crewjam/saml's IdentityProvider on 127.0.0.1: it reads each
// SP's metadata from the tenant host (the SP metadata URL is the entity
// ID) and answers with the person of its session.
type samlIdP struct {
	t      *testing.T
	idp    *saml.IdentityProvider
	srv    *httptest.Server
	toHost *http.Client // dials the test server for any tenant host
	mu     sync.Mutex
	person saml.Session
}

func newSAMLIdP(t *testing.T, srv *testserver.Server) *samlIdP {
	t.Helper()
	p := &samlIdP{t: t}
	p.person = saml.Session{NameID: "alice-7f3a", NameIDFormat: string(saml.PersistentNameIDFormat),
		UserName: "alice", UserEmail: "alice@corp.example", UserCommonName: "Alice Liddell"}
	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	p.toHost = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}}
	var handler http.Handler
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(p.srv.Close)
	pair, err := samlsp.GenerateKeyPair("idp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	meta, _ := url.Parse(p.srv.URL + "/metadata")
	sso, _ := url.Parse(p.srv.URL + "/sso")
	p.idp = &saml.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso,
		ServiceProviderProvider: p, SessionProvider: p, WantAuthnRequestsSigned: true,
		OnError: func(w http.ResponseWriter, _ *http.Request, status int, err error) {
			http.Error(w, "idp: "+err.Error(), status)
		}}
	handler = p.idp.Handler()
	return p
}

func (p *samlIdP) metadataURL() string { return p.srv.URL + "/metadata" }

// GetServiceProvider fetches the SP's metadata from its entity ID, the
// tenant host's metadata URL, as an IdP given that URL does.
func (p *samlIdP) GetServiceProvider(r *http.Request, entityID string) (*saml.EntityDescriptor, error) {
	u, err := url.Parse(entityID)
	if err != nil || !strings.HasSuffix(u.Path, "/saml/metadata") {
		return nil, os.ErrNotExist
	}
	return crewjamsp.FetchMetadata(r.Context(), p.toHost, *u)
}

// GetSession is the person signed in at the IdP.
func (p *samlIdP) GetSession(http.ResponseWriter, *http.Request, *saml.IdpAuthnRequest) *saml.Session {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.person
	now := time.Now()
	s.ID, s.CreateTime, s.ExpireTime, s.Index = "session-"+s.NameID, now, now.Add(time.Hour), "index-1"
	return &s
}

// samlForm is the IdP's auto-posting answer form.
type samlForm struct{ Action, SAMLResponse, RelayState string }

var samlField = regexp.MustCompile(`(action|name="(SAMLResponse|RelayState)" value)="([^"]*)"`)

// answer follows the AuthnRequest's redirect to the IdP and reads the
// form it answers with.
func (p *samlIdP) answer(redirect *url.URL) samlForm {
	p.t.Helper()
	require.Equal(p.t, p.srv.URL+"/sso", redirect.Scheme+"://"+redirect.Host+redirect.Path, "the AuthnRequest goes to the IdP")
	resp, err := p.srv.Client().Get(redirect.String())
	require.NoError(p.t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(p.t, http.StatusOK, resp.StatusCode, "the IdP answers: %s", body)
	var f samlForm
	for _, m := range samlField.FindAllStringSubmatch(string(body), -1) {
		v := html.UnescapeString(m[3])
		switch {
		case m[1] == "action":
			f.Action = v
		case m[2] == "SAMLResponse":
			f.SAMLResponse = v
		case m[2] == "RelayState":
			f.RelayState = v
		}
	}
	require.NotEmpty(p.t, f.SAMLResponse, "the IdP's form: %s", body)
	return f
}

// post submits an answer form to action (f.Action when ""), as the
// browser does.
func (b *browser) post(f samlForm, action string) response {
	b.t.Helper()
	if action == "" {
		action = f.Action
	}
	form := url.Values{"SAMLResponse": {f.SAMLResponse}, "RelayState": {f.RelayState}}
	req, err := http.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := b.http.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return response{status: res.StatusCode, header: res.Header, body: raw, url: req.URL}
}

// postResume submits an answer form as post does and, when the ACS sends
// the browser on to the same-site resume, follows it with this browser's
// cookies: the answer of the resume (the sign-in) is returned.
func (b *browser) postResume(f samlForm, action string) response {
	b.t.Helper()
	r := b.post(f, action)
	if r.status != http.StatusSeeOther {
		return r
	}
	return b.resume(r)
}

// resume follows the ACS's redirect to the same-site resume.
func (b *browser) resume(acs response) response {
	b.t.Helper()
	loc, err := acs.url.Parse(acs.header.Get("Location"))
	require.NoError(b.t, err)
	require.True(b.t, strings.HasSuffix(loc.Path, "/saml/resume"), "the ACS sends the browser to the resume: %s", loc)
	return b.do(http.MethodGet, loc.String(), nil, nil)
}
