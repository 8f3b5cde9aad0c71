package graph_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/delivery"
	fakedns "github.com/sesame-id/sesame/internal/fake/dns"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

const (
	createConnector = `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { id name kind type issuer clientId domains callbackUrl trustEmailVerified domainStates { domain verified recordName recordValue } } }`
	listConnectors  = `{ connectors { id name kind domains } }`
	linkedOfMe      = `{ me { linkedIdentities { id connector email } } }`
	unlinkIdentity  = `mutation($id: ID!) { unlinkIdentity(id: $id) }`
)

// TestConnectors_CreatedListedDeletedAndTheSecretNeverReturned: an
// administrator creates an enterprise connector (its callback URL under
// the tenant's origin, its secret never in an answer), bad input is
// refused naming the field, and a user lists and unlinks their linked
// identity only while another way to sign in remains.
func TestConnectors_CreatedListedDeletedAndTheSecretNeverReturned(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dns := fakedns.Start(t)
			outbox := delivery.NewOutbox(delivery.OutboxConfig{})
			e := newAPIEnvWith(t, b, testserver.Options{DNSServer: dns.Addr, Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}}, outbox)
			p := e.acme
			in := map[string]any{"name": "Corp SSO", "kind": "ENTERPRISE", "type": "OIDC", "issuer": "https://idp.corp.example",
				"clientId": "sesame", "clientSecret": "s3cret-value", "domains": []string{"corp.example"}}
			d := e.ok(t, p, admin, createConnector, map[string]any{"in": in})
			got := path(d, "createConnector")
			id := path(got, "id").(string)
			require.Equal(t, "ENTERPRISE", path(got, "kind"))
			require.Equal(t, e.srv.URL(p.tenant.Slug)+"/federation/"+id+"/callback", path(got, "callbackUrl"))
			require.Equal(t, false, path(got, "trustEmailVerified"), "a generic provider's email_verified is not trusted by default")
			require.Equal(t, false, path(got, "domainStates", 0, "verified"), "a domain an administrator gives is pending")
			require.Equal(t, "_sesame-challenge.corp.example", path(got, "domainStates", 0, "recordName"))
			value := path(got, "domainStates", 0, "recordValue").(string)
			require.Regexp(t, `^sesame-domain-verification=[0-9a-f]{32}$`, value)

			// Another connector may list the pending domain; once the
			// first proves it, the domain is refused to any other (409).
			other := map[string]any{"name": "Other", "kind": "ENTERPRISE", "type": "OIDC", "issuer": "https://idp2.corp.example",
				"clientId": "x", "clientSecret": "y", "domains": []string{"corp.example"}}
			otherID := path(e.ok(t, p, admin, createConnector, map[string]any{"in": other}), "createConnector", "id").(string)
			verify := `mutation($id: ID!, $d: String!) { verifyConnectorDomain(connectorId: $id, domain: $d) { domain verified verifiedAt } }`
			e.refused(t, p, admin, "domain_record_missing", verify, map[string]any{"id": id, "d": "corp.example"})
			e.refused(t, p, user, "forbidden", verify, map[string]any{"id": id, "d": "corp.example"})
			dns.SetTXT("_sesame-challenge.corp.example", value)
			d = e.ok(t, p, admin, verify, map[string]any{"id": id, "d": "corp.example"})
			require.Equal(t, true, path(d, "verifyConnectorDomain", "verified"))
			a := e.refused(t, p, admin, "domain_verified_elsewhere", verify, map[string]any{"id": otherID, "d": "corp.example"})
			require.Equal(t, "domain", a.errors[0].Extensions["field"])
			e.ok(t, p, admin, `mutation($id: ID!) { deleteConnector(id: $id) }`, map[string]any{"id": otherID})
			other["name"] = "Third"
			a = e.refused(t, p, admin, "domain_verified_elsewhere", createConnector, map[string]any{"in": other})
			require.Equal(t, "domains", a.errors[0].Extensions["field"])
			e.refused(t, p, user, "forbidden", listConnectors, nil)

			d = e.ok(t, p, admin, listConnectors, nil)
			require.Len(t, path(d, "connectors"), 1)
			raw, err := json.Marshal(d)
			require.NoError(t, err)
			require.NotContains(t, string(raw), "s3cret-value")

			// A user whose only way to sign in is a linked identity keeps
			// it; with a passkey besides, they unlink it.
			scope := e.scope(p)
			solo := &db.User{WebAuthnHandle: []byte("solo-handle"), DisplayName: "Solo"}
			require.NoError(t, scope.Users().Create(t.Context(), solo))
			me := &party{tenant: p.tenant, host: p.host, key: p.key, user: solo}
			me.session = e.signIn(t, p, solo)
			conns, err := scope.Connectors().List(t.Context())
			require.NoError(t, err)
			fi := &db.FederatedIdentity{UserID: solo.ID, ConnectorID: conns[0].ID, Subject: "solo", Email: "solo@corp.example"}
			require.NoError(t, scope.FederatedIdentities().Link(t.Context(), fi, time.Now()))
			d = e.ok(t, me, user, linkedOfMe, nil)
			require.Equal(t, "Corp SSO", path(d, "me", "linkedIdentities", 0, "connector"))
			// Administrators see them per user.
			d = e.ok(t, p, admin, `query($id: ID!) { user(id: $id) { linkedIdentities { connector email } } }`, map[string]any{"id": solo.ID.String()})
			require.Equal(t, "solo@corp.example", path(d, "user", "linkedIdentities", 0, "email"))
			e.refused(t, p, user, "forbidden", `query($id: ID!) { user(id: $id) { linkedIdentities { connector } } }`, map[string]any{"id": solo.ID.String()})
			e.refused(t, me, user, "last_sign_in_method", unlinkIdentity, map[string]any{"id": fi.ID.String()})
			e.addCredential(t, p, solo, "Laptop")
			e.ok(t, me, user, unlinkIdentity, map[string]any{"id": fi.ID.String()})
			d = e.ok(t, me, user, linkedOfMe, nil)
			require.Empty(t, path(d, "me", "linkedIdentities"))

			e.ok(t, p, admin, `mutation($id: ID!) { deleteConnector(id: $id) }`, map[string]any{"id": id})
			d = e.ok(t, p, admin, listConnectors, nil)
			require.Empty(t, path(d, "connectors"))
		})
	}
}

// TestConnectors_PresetScopesClaimsAndAMRAreKept: createConnector takes a
// preset, scopes, a claim mapping and trustUpstreamAmr and answers them
// back; a claim name with a control character is refused naming it.
func TestConnectors_PresetScopesClaimsAndAMRAreKept(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			q := `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { preset issuer scopes trustUpstreamAmr claims { subject email emailVerified name } } }`
			in := map[string]any{"name": "Google", "kind": "SOCIAL", "type": "OIDC", "preset": "google", "clientId": "g", "clientSecret": "s",
				"scopes": []string{"openid", "email"}, "trustUpstreamAmr": true, "claims": map[string]any{"subject": "oid", "email": " upn ", "name": ""}}
			got := path(e.ok(t, p, admin, q, map[string]any{"in": in}), "createConnector")
			require.Equal(t, "google", path(got, "preset"))
			require.Equal(t, "https://accounts.google.com", path(got, "issuer"))
			require.Equal(t, []any{"openid", "email"}, path(got, "scopes"))
			require.Equal(t, true, path(got, "trustUpstreamAmr"))
			require.Equal(t, map[string]any{"subject": "oid", "email": "upn", "emailVerified": nil, "name": nil}, path(got, "claims"))

			in["name"], in["claims"] = "Other", map[string]any{"email": "up\u0007n"}
			a := e.refused(t, p, admin, "invalid_input", q, map[string]any{"in": in})
			require.Equal(t, "claims.email", a.errors[0].Extensions["field"])
		})
	}
}

// TestConnectors_ResponseMode: an oidc connector's response mode is the
// preset's (form_post for apple, query for a generic provider) unless
// createConnector names one; another mode is refused naming the field.
func TestConnectors_ResponseMode(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, testdb.SQLite, false)
	p := e.acme
	q := `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { responseMode } }`
	mk := func(name, preset string, mode any) map[string]any {
		in := map[string]any{"name": name, "kind": "SOCIAL", "type": "OIDC", "preset": preset, "issuer": "https://idp.example.com",
			"clientId": "c", "clientSecret": "s", "responseMode": mode}
		return map[string]any{"in": in}
	}
	require.Equal(t, "form_post", path(e.ok(t, p, admin, q, mk("Apple", "apple", nil)), "createConnector", "responseMode"))
	require.Equal(t, "query", path(e.ok(t, p, admin, q, mk("Generic", "", nil)), "createConnector", "responseMode"))
	require.Equal(t, "form_post", path(e.ok(t, p, admin, q, mk("Posted", "", "form_post")), "createConnector", "responseMode"))
	a := e.refused(t, p, admin, "invalid_input", q, mk("Fragment", "", "fragment"))
	require.Equal(t, "response_mode", a.errors[0].Extensions["field"])
}
