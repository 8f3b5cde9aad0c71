package federation_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// TestFederation_SAMLHundredParallelPostsSignInOnce: one IdP answer posted
// 100 times at once to the ACS, on PostgreSQL, is recorded once (every
// other post is a 4xx) and signs in nobody; the browser's resume, 100
// times at once with its cookie, signs in once: one user, one link, one
// session; every other resume is a 4xx.
func TestFederation_SAMLHundredParallelPostsSignInOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	idp := newSAMLIdP(t, srv)
	tenant := srv.CreateTenant(t, "acme", "Acme")
	p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(tenant.ID)}
	acme := srv.URL("acme")
	trust := true
	c, err := federation.CreateSAML(t.Context(), p.acme, federation.Spec{Name: "Corp", Kind: federation.KindEnterprise, Domains: []string{"corp.example"}, DomainsVerified: true, TrustEmailVerified: &trust},
		federation.SAMLSpec{MetadataURL: idp.metadataURL(), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
	require.NoError(t, err)
	br := newBrowser(t, srv)
	br.http.Timeout = 2 * time.Minute
	_, redirect := br.begin(acme, c.ID, nil)
	form := idp.answer(redirect)
	before := p.counts()

	const n = 100
	posts := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { posts[i] = br.post(form, "") })
	}
	wg.Wait()
	acs := onlyOneSeeOther(t, posts)
	require.Equal(t, before, p.counts(), "the ACS signs in nobody")

	resumes := make([]response, n)
	for i := range n {
		wg.Go(func() { resumes[i] = br.resume(acs) })
	}
	wg.Wait()
	onlyOneSeeOther(t, resumes)
	require.Equal(t, counts{users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1}, p.counts())
}

// onlyOneSeeOther requires one 303 among rs, every other a 4xx, and
// returns it.
func onlyOneSeeOther(t *testing.T, rs []response) response {
	t.Helper()
	var ok []response
	for _, r := range rs {
		if r.status == http.StatusSeeOther {
			ok = append(ok, r)
			continue
		}
		require.GreaterOrEqual(t, r.status, 400, "a refusal")
		require.Less(t, r.status, 500, "never a 500")
	}
	require.Len(t, ok, 1)
	return ok[0]
}
