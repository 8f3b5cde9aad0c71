package web_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	crewjamsp "github.com/crewjam/saml/samlsp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// samlPerson is the IdP's signed-in person: crewjam/saml's
// IdentityProvider answers every AuthnRequest for them at once.
type samlPerson struct{ toHost *http.Client }

// GetServiceProvider reads the SP metadata from the tenant host (the
// entity ID is its URL), as an IdP given the metadata URL does.
func (p samlPerson) GetServiceProvider(r *http.Request, entityID string) (*saml.EntityDescriptor, error) {
	u, err := url.Parse(entityID)
	if err != nil || !strings.HasSuffix(u.Path, "/saml/metadata") {
		return nil, os.ErrNotExist
	}
	return crewjamsp.FetchMetadata(r.Context(), p.toHost, *u)
}

func (samlPerson) GetSession(http.ResponseWriter, *http.Request, *saml.IdpAuthnRequest) *saml.Session {
	now := time.Now()
	return &saml.Session{ID: "s-1", CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "i-1",
		NameID: "dee-41", NameIDFormat: string(saml.PersistentNameIDFormat), UserEmail: "dee@corp.example", UserCommonName: "Dee Corp"}
}

// startSAMLIdP runs crewjam/saml's IdentityProvider on 127.0.0.1 and
// returns its metadata URL.
func startSAMLIdP(t *testing.T, srv *testserver.Server) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	toHost := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}}
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	pair, err := samlsp.GenerateKeyPair("idp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	meta, _ := url.Parse(ts.URL + "/metadata")
	sso, _ := url.Parse(ts.URL + "/sso")
	person := samlPerson{toHost: toHost}
	h = (&saml.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso,
		ServiceProviderProvider: person, SessionProvider: person, WantAuthnRequestsSigned: true}).Handler()
	return meta.String()
}

// TestFederation_SAMLEnterpriseSignInInChromium: an address of
// corp.example on acme's sign-in page goes to Corp SSO, a SAML connector;
// Chromium follows the AuthnRequest to the IdP, whose form posts the
// answer across sites to acme's ACS, and lands on acme's account page
// signed in as a new SSO user; the next sign-in finds the same user.
func TestFederation_SAMLEnterpriseSignInInChromium(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	trust := true
	_, err := federation.CreateSAML(t.Context(), acme.scope(), federation.Spec{Name: "Corp SSO", Kind: federation.KindEnterprise, Domains: []string{"corp.example"}, DomainsVerified: true, TrustEmailVerified: &trust},
		federation.SAMLSpec{MetadataURL: startSAMLIdP(t, srv), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
	require.NoError(t, err)
	tab := browser.New(t).NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			tab.Screenshot(t, "/tmp/fed-saml.png")
			t.Log(tab.ConsoleErrors(), tab.Location(t))
		}
	})

	for range 2 {
		tab.Navigate(t, acme.url("/"))
		tab.Type(t, "#identifier", "dee@corp.example")
		tab.Click(t, "#continue")
		tab.WaitVisible(t, "#methods")
		require.Equal(t, []string{"Continue with Corp SSO"}, tab.Texts(t, "#method-list button"))
		tab.Click(t, "#method-list button[data-connector]")
		acme.waitAccount(t, tab)
		acme.signOut(t, tab)
	}
	dee := acme.user(t, "dee@corp.example")
	require.True(t, dee.SSO, "an enterprise connector's users are SSO users")
	ids, err := acme.scope().FederatedIdentities().ByUser(t.Context(), dee.ID)
	require.NoError(t, err)
	require.Len(t, ids, 1)
	require.Len(t, acme.sessions(t, dee.ID), 0, "signed out twice")
}
