package federation_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// TestFederation_SAMLAnswerPostedFromAnotherBrowserSignsInNobody: login
// CSRF at the ACS. An attacker begins a sign-in and has the IdP answer
// for their own account; that answer, posted from the victim's browser
// (no flow cookie, or the cookie of the victim's own flow), signs nobody
// in: the ACS only records the answer, and the same-site resume finds no
// flow of this browser's with it (a 4xx page, no user, no link, no
// session). The browser that began the flow resumes it once; a second
// resume is refused. The relay state is not the flow's token.
func TestFederation_SAMLAnswerPostedFromAnotherBrowserSignsInNobody(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			idp := newSAMLIdP(t, srv)
			tenant := srv.CreateTenant(t, "acme", "Acme")
			p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(tenant.ID)}
			acme := srv.URL("acme")
			trust := true
			c, err := federation.CreateSAML(t.Context(), p.acme, federation.Spec{Name: "Corp SSO", Kind: federation.KindEnterprise, Domains: []string{"corp.example"}, DomainsVerified: true, TrustEmailVerified: &trust},
				federation.SAMLSpec{MetadataURL: idp.metadataURL(), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
			require.NoError(t, err)
			before := p.counts()

			attacker := newBrowser(t, srv)
			token, redirect := attacker.begin(acme, c.ID, nil)
			form := idp.answer(redirect)

			// The relay state is the flow's token sealed for this
			// connector: the bare token names no flow at the ACS.
			bare := form
			bare.RelayState = token
			r := attacker.post(bare, "")
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_state"`)

			// The victim's browser with no flow: the ACS sends it on, the
			// resume refuses it.
			victim := newBrowser(t, srv)
			acs := victim.post(form, "")
			require.Equal(t, http.StatusSeeOther, acs.status, string(acs.body))
			r = victim.resume(acs)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			require.Empty(t, r.header.Values("Set-Cookie"), "no session cookie")
			require.Equal(t, before, p.counts(), "no user, no link, no session")

			// The victim's browser waiting at the IdP on its own flow:
			// the answer is for the attacker's flow, not this one.
			victim2 := newBrowser(t, srv)
			_, _ = victim2.begin(acme, c.ID, nil)
			r = victim2.resume(acs)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			require.Equal(t, before, p.counts())

			// The answer is recorded once: posting it again is refused.
			again := attacker.post(form, "")
			require.Equal(t, http.StatusBadRequest, again.status, string(again.body))

			// The browser that began the flow resumes it, once.
			r = attacker.resume(acs)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, "/account", r.header.Get("Location"))
			require.Equal(t, counts{users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1}, p.counts())
			after := p.counts()
			r = attacker.resume(acs)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			require.Equal(t, after, p.counts(), "a replayed resume writes nothing")
		})
	}
}
