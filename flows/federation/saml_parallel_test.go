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
// 100 times at once to the ACS, on PostgreSQL, signs in once: one user,
// one link, one session; every other post is a 4xx.
func TestFederation_SAMLHundredParallelPostsSignInOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	idp := newSAMLIdP(t, srv)
	tenant := srv.CreateTenant(t, "acme", "Acme")
	p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(tenant.ID)}
	acme := srv.URL("acme")
	trust := true
	c, err := federation.CreateSAML(t.Context(), p.acme, federation.Spec{Name: "Corp", Kind: federation.KindEnterprise, Domains: []string{"corp.example"}, TrustEmailVerified: &trust},
		federation.SAMLSpec{MetadataURL: idp.metadataURL(), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
	require.NoError(t, err)
	br := newBrowser(t, srv)
	br.http.Timeout = 2 * time.Minute
	_, redirect := br.begin(acme, c.ID, nil)
	form := idp.answer(redirect)
	before := p.counts()

	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i] = br.post(form, "").status })
	}
	wg.Wait()
	signedIn := 0
	for _, s := range statuses {
		if s == http.StatusSeeOther {
			signedIn++
			continue
		}
		require.GreaterOrEqual(t, s, 400, "a refusal")
		require.Less(t, s, 500, "never a 500")
	}
	require.Equal(t, 1, signedIn)
	require.Equal(t, counts{users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1}, p.counts())
}
