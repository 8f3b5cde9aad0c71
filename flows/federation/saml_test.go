package federation_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// TestFederation_SAML: acme's users sign in through a SAML connector whose
// IdP is crewjam/saml's IdentityProvider on 127.0.0.1, through acme's
// hosted routes (the flow API, the IdP's redirect and form, the ACS). The
// first sign-in provisions an SSO user from the IdP's trusted address;
// the next signs in to the same account. A replayed answer, an answer for
// another connector and a late one are refused at the ACS with a 4xx page
// and write nothing.
func TestFederation_SAML(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			clk := &offsetClock{}
			srv := testserver.Start(t, b, testserver.Options{Clock: clk})
			idp := newSAMLIdP(t, srv)
			tenant := srv.CreateTenant(t, "acme", "Acme")
			p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(tenant.ID)}
			acme := srv.URL("acme")
			trust := true
			spec := federation.Spec{Name: "Corp SSO", Kind: federation.KindEnterprise, Domains: []string{"corp.example"}, DomainsVerified: true, TrustEmailVerified: &trust}

			// Outside development the metadata is fetched from public
			// addresses only: the IdP on 127.0.0.1 is refused.
			_, err := federation.CreateSAML(t.Context(), p.acme, spec, federation.SAMLSpec{MetadataURL: idp.metadataURL(),
				HTTPClient: jobs.NewBackchannelHTTPClient(false), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
			var fe *flows.Error
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "metadata_url", fe.Field)
			c, err := federation.CreateSAML(t.Context(), p.acme, spec, federation.SAMLSpec{MetadataURL: idp.metadataURL(),
				HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
			require.NoError(t, err)
			row, err := p.acme.Connectors().Get(t.Context(), c.ID)
			require.NoError(t, err)
			require.NotContains(t, row.ClientSecret, "PRIVATE KEY", "the SP key is sealed")
			require.NotContains(t, row.Settings, "PRIVATE KEY")

			// The SP metadata is served on the tenant host.
			meta := newBrowser(t, srv).do(http.MethodGet, federation.SAMLMetadataURL(acme, c.ID), nil, nil)
			require.Equal(t, http.StatusOK, meta.status)
			require.Contains(t, string(meta.body), federation.SAMLACSURL(acme, c.ID))

			// The first sign-in provisions an SSO user with the address.
			before := p.counts()
			br := newBrowser(t, srv)
			token, redirect := br.begin(acme, c.ID, nil)
			relay := redirect.Query().Get("RelayState")
			require.NotEmpty(t, relay)
			require.LessOrEqual(t, len(relay), 80)
			require.NotContains(t, redirect.String(), token, "the IdP never sees the flow's token")
			form := idp.answer(redirect)
			require.Equal(t, federation.SAMLACSURL(acme, c.ID), form.Action)
			r := br.postResume(form, "")
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, "/account", r.header.Get("Location"))
			after := p.counts()
			require.Equal(t, counts{users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1}, after)
			u, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "alice@corp.example")
			require.NoError(t, err)
			require.True(t, u.SSO, "an enterprise connector's users are SSO users")
			require.Equal(t, "Alice Liddell", u.DisplayName)
			me := br.do(http.MethodPost, acme+"/graphql", map[string]any{"query": "{ me { id } }"}, map[string]string{"X-Sesame-Request": "1"})
			require.Contains(t, string(me.body), u.ID.String(), "the browser is signed in to acme")

			// The same answer again: refused, nothing written.
			r = br.post(form, "")
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			require.Equal(t, after, p.counts())

			// A second sign-in goes to the same account.
			br2 := newBrowser(t, srv)
			_, redirect = br2.begin(acme, c.ID, nil)
			r = br2.postResume(idp.answer(redirect), "")
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, after.users, p.counts().users)
			ids, err := p.acme.FederatedIdentities().ByUser(t.Context(), u.ID)
			require.NoError(t, err)
			require.Len(t, ids, 1)
			after = p.counts()

			samlNegatives(t, p, idp, c)
			after = p.counts()

			// An answer that arrives after it expired: refused.
			br3 := newBrowser(t, srv)
			_, redirect = br3.begin(acme, c.ID, nil)
			form = idp.answer(redirect)
			clk.off.Store(int64(6 * time.Minute))
			r = br3.post(form, "")
			require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="saml_assertion_expired"`)
			require.Equal(t, after, p.counts())
		})
	}
}

// samlNegatives: an answer for another connector (another SP of the same
// IdP) is refused at that connector's ACS, whichever flow it names; a
// connector that does not trust the IdP's addresses provisions an account
// without one.
func samlNegatives(t *testing.T, p *pair, idp *samlIdP, c *federation.Connector) {
	acme := p.srv.URL("acme")
	other, err := federation.CreateSAML(t.Context(), p.acme, federation.Spec{Name: "Other SSO", Kind: federation.KindSocial},
		federation.SAMLSpec{MetadataURL: idp.metadataURL(), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: p.srv.KeyEncryptionKey}, time.Now())
	require.NoError(t, err)
	before := p.counts()

	brA := newBrowser(t, p.srv)
	_, redirect := brA.begin(acme, c.ID, nil)
	formA := idp.answer(redirect)
	brB := newBrowser(t, p.srv)
	_, redirect = brB.begin(acme, other.ID, nil)
	formB := idp.answer(redirect)

	// c's answer at other's ACS, naming c's flow: not other's flow.
	r := brA.post(formA, federation.SAMLACSURL(acme, other.ID))
	require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
	require.Contains(t, string(r.body), `data-code="federation_state"`)
	// c's answer at other's ACS, naming other's waiting flow: the answer
	// is not for this SP.
	swapped := formA
	swapped.RelayState = formB.RelayState
	r = brB.post(swapped, federation.SAMLACSURL(acme, other.ID))
	require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
	require.Regexp(t, `data-code="saml_(audience|recipient)_mismatch"`, string(r.body))
	require.Equal(t, before, p.counts())

	// other's own answer signs in; other does not trust the IdP's
	// address, so the account has none (and is not linked to alice's).
	r = brB.postResume(formB, "")
	require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
	after := p.counts()
	require.Equal(t, counts{users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1}, after)
	fi, err := p.acme.FederatedIdentities().BySubject(t.Context(), other.ID, "alice-7f3a")
	require.NoError(t, err)
	require.Empty(t, fi.Email)
	u, err := p.acme.Users().ByID(t.Context(), fi.UserID)
	require.NoError(t, err)
	require.False(t, u.SSO)
	_, err = p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "alice@corp.example")
	require.NoError(t, err)
}
