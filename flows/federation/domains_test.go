package federation_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/errcode"
	fakedns "github.com/sesame-id/sesame/internal/fake/dns"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// enterprise creates an enterprise oidc connector of scope named name
// listing domains, pending.
func enterprise(t *testing.T, scope db.Scope, name string, domains ...string) (*federation.Connector, error) {
	t.Helper()
	return federation.Create(t.Context(), scope, federation.Spec{Name: name, Kind: federation.KindEnterprise, Type: federation.TypeOIDC,
		Issuer: "https://idp.corp.example", ClientID: "sesame", Secret: "s3cret", Domains: domains}, time.Now())
}

// stateOf returns c's state of domain.
func stateOf(t *testing.T, scope db.Scope, c *federation.Connector, domain string) federation.DomainState {
	t.Helper()
	states, err := federation.DomainStates(t.Context(), scope, []*federation.Connector{c}, time.Now())
	require.NoError(t, err)
	for _, s := range states[c.ID] {
		if s.Domain == domain {
			return s
		}
	}
	t.Fatalf("%s has no domain %s", c.Name, domain)
	return federation.DomainState{}
}

// identified is what acme's sign-in answers an address with.
func identified(t *testing.T, br *browser, origin, email string) map[string]any {
	t.Helper()
	r := br.do(http.MethodPost, origin+"/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	return r.json(t)["result"].(map[string]any)
}

// TestFederation_ADomainRoutesOnlyOnceItsTXTRecordIsFound: an enterprise
// connector's domain is pending with a token and routes nobody; without
// its TXT record, or with another value, the check is refused (4xx) and
// it stays pending; with the right value it is verified and the
// identifier-first sign-in sends the domain's addresses to the connector.
// Another connector can then neither list nor verify the domain (409).
func TestFederation_ADomainRoutesOnlyOnceItsTXTRecordIsFound(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			scope, origin := srv.DB.ForTenant(tn.ID), srv.URL("acme")
			dns := fakedns.Start(t)
			r := federation.NewResolver(dns.Addr)
			ctx := t.Context()

			c, err := enterprise(t, scope, "Corp SSO", "corp.example")
			require.NoError(t, err)
			st := stateOf(t, scope, c, "corp.example")
			require.Nil(t, st.VerifiedAt)
			require.Len(t, st.Token, 32)
			require.Equal(t, "_sesame-challenge.corp.example", st.RecordName())
			require.Equal(t, "sesame-domain-verification="+st.Token, st.RecordValue())

			br := newBrowser(t, srv)
			require.NotContains(t, identified(t, br, origin, "ana@corp.example")["methods"], "sso", "a pending domain routes nobody")
			got, err := federation.ForEmail(ctx, scope, "ana@corp.example")
			require.NoError(t, err)
			require.Nil(t, got)

			_, err = federation.VerifyDomain(ctx, scope, r, c.ID, "corp.example", time.Now())
			requireRefusal(t, errcode.ErrDomainRecordMissing, err)
			dns.SetTXT(st.RecordName(), "sesame-domain-verification=not-the-token")
			_, err = federation.VerifyDomain(ctx, scope, r, c.ID, "corp.example", time.Now())
			requireRefusal(t, errcode.ErrDomainRecordMismatch, err)
			require.Nil(t, stateOf(t, scope, c, "corp.example").VerifiedAt, "a refused check changes nothing")
			_, err = federation.VerifyDomain(ctx, scope, r, c.ID, "other.example", time.Now())
			requireRefusal(t, flows.ErrInvalidInput, err)

			dns.SetTXT(st.RecordName(), "v=spf1 -all", st.RecordValue())
			done, err := federation.VerifyDomain(ctx, scope, r, c.ID, "Corp.Example.", time.Now())
			require.NoError(t, err)
			require.NotNil(t, done.VerifiedAt)
			require.NotNil(t, stateOf(t, scope, c, "corp.example").VerifiedAt)

			res := identified(t, newBrowser(t, srv), origin, "ana@corp.example")
			require.Equal(t, []any{"sso"}, res["methods"])
			require.Equal(t, c.ID.String(), res["connector"].(map[string]any)["id"])

			_, err = enterprise(t, scope, "Other", "corp.example")
			requireRefusal(t, errcode.ErrDomainVerifiedElsewhere, err)
		})
	}
}

// requireRefusal requires err to be want, a 4xx of the catalogue.
func requireRefusal(t *testing.T, want *errcode.Error, err error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	pe, ok := errcode.Public(err)
	require.True(t, ok, "%v", err)
	require.GreaterOrEqual(t, pe.Status, 400)
	require.Less(t, pe.Status, 500)
}

// TestFederation_HundredParallelVerificationsVerifyADomainForOneConnector:
// two connectors of one tenant list the same pending domain and both
// tokens are published; 100 checks at once on PostgreSQL, half for each,
// leave the domain verified for exactly one connector, every other check
// of the other connector refused with domain_verified_elsewhere.
func TestFederation_HundredParallelVerificationsVerifyADomainForOneConnector(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.Postgres)
	scope := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
	dns := fakedns.Start(t)
	r := federation.NewResolver(dns.Addr)
	a, err := enterprise(t, scope, "Corp A", "corp.example")
	require.NoError(t, err)
	b, err := enterprise(t, scope, "Corp B", "corp.example")
	require.NoError(t, err)
	dns.SetTXT("_sesame-challenge.corp.example", stateOf(t, scope, a, "corp.example").RecordValue(), stateOf(t, scope, b, "corp.example").RecordValue())

	const n = 100
	errs := make([]error, n)
	ids := make([]uuid.UUID, n)
	var wg sync.WaitGroup
	for i := range n {
		ids[i] = a.ID
		if i%2 == 1 {
			ids[i] = b.ID
		}
		wg.Go(func() {
			_, errs[i] = federation.VerifyDomain(t.Context(), scope, r, ids[i], "corp.example", time.Now())
		})
	}
	wg.Wait()

	rows, err := scope.ConnectorDomains().List(t.Context(), uuid.Nil)
	require.NoError(t, err)
	var winner uuid.UUID
	for _, row := range rows {
		if row.VerifiedAt != nil {
			require.Equal(t, uuid.Nil, winner, "verified for one connector only")
			winner = row.ConnectorID
		}
	}
	require.NotEqual(t, uuid.Nil, winner)
	for i, err := range errs {
		if ids[i] == winner {
			require.NoError(t, err)
			continue
		}
		requireRefusal(t, errcode.ErrDomainVerifiedElsewhere, err)
	}
	got, err := federation.ForEmail(t.Context(), scope, "ana@corp.example")
	require.NoError(t, err)
	require.Equal(t, winner, got.ID)
}
