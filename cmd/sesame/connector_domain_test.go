package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	fakedns "github.com/sesame-id/sesame/internal/fake/dns"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// TestCLI_ConnectorVerifyDomainChecksTheTXTRecord: a domain made pending
// by the API is checked through SESAME_DNS_SERVER: refused while its TXT
// record is missing (the record to publish printed), verified once the
// record carries its token.
func TestCLI_ConnectorVerifyDomainChecksTheTXTRecord(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewDSN(t, testdb.SQLite)
	dns := fakedns.Start(t)
	env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com", "SESAME_DNS_SERVER": dns.Addr}
	code, _, stderr := cli(t, env, "migrate")
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
	require.Equal(t, exitOK, code, stderr)

	d, err := db.Open(t.Context(), dsn, db.Options{})
	require.NoError(t, err)
	tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
	require.NoError(t, err)
	scope := d.ForTenant(tn.ID)
	c, err := federation.Create(t.Context(), scope, federation.Spec{Name: "Corp SSO", Kind: federation.KindEnterprise, Type: federation.TypeOIDC,
		Issuer: "https://idp.corp.example", ClientID: "sesame", Secret: "s3cret", Domains: []string{"corp.example"}}, time.Now())
	require.NoError(t, err)
	states, err := federation.DomainStates(t.Context(), scope, []*federation.Connector{c}, time.Now())
	require.NoError(t, err)
	st := states[c.ID][0]
	require.NoError(t, d.Close())

	args := []string{"connector", "verify-domain", "--tenant", "acme", "--id", c.ID.String(), "--domain", "corp.example"}
	code, _, stderr = cli(t, env, args...)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, `publish: _sesame-challenge.corp.example TXT "`+st.RecordValue()+`"`)
	require.Contains(t, stderr, "Sesame found no TXT record for this domain")

	dns.SetTXT(st.RecordName(), st.RecordValue())
	code, stdout, stderr := cli(t, env, args...)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "verified corp.example for connector "+c.ID.String())
}
