package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/delivery"
	fakedns "github.com/sesame-id/sesame/internal/fake/dns"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

const updateConnector = `mutation($id: ID!, $in: UpdateConnectorInput!) { updateConnector(id: $id, input: $in) {
	name scopes trustEmailVerified trustUpstreamAmr responseMode claims { email } domains domainStates { domain verified } } }`

// TestConnectors_UpdatedFieldByFieldTheSecretWriteOnly: an administrator
// edits a connector: the fields given change and the rest stay; the new
// client secret is stored and never returned; a domain added starts
// pending, a domain removed (verified or not) is gone and free for another
// connector. Scopes without openid, an empty domain list, a domain
// verified elsewhere, another connector's name and a user are refused.
func TestConnectors_UpdatedFieldByFieldTheSecretWriteOnly(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			dns := fakedns.Start(t)
			outbox := delivery.NewOutbox(delivery.OutboxConfig{})
			e := newAPIEnvWith(t, b, testserver.Options{DNSServer: dns.Addr, Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}}, outbox)
			p := e.acme
			mk := func(name, domain string) (string, string) {
				in := map[string]any{"name": name, "kind": "ENTERPRISE", "type": "OIDC", "issuer": "https://idp.corp.example",
					"clientId": "sesame", "clientSecret": "old-secret", "domains": []string{domain}}
				got := path(e.ok(t, p, admin, createConnector, map[string]any{"in": in}), "createConnector")
				return path(got, "id").(string), path(got, "domainStates", 0, "recordValue").(string)
			}
			id, value := mk("Corp SSO", "corp.example")
			otherID, otherValue := mk("Other", "other.example")
			verify := `mutation($id: ID!, $d: String!) { verifyConnectorDomain(connectorId: $id, domain: $d) { verified } }`
			dns.SetTXT("_sesame-challenge.corp.example", value)
			dns.SetTXT("_sesame-challenge.other.example", otherValue)
			e.ok(t, p, admin, verify, map[string]any{"id": id, "d": "corp.example"})
			e.ok(t, p, admin, verify, map[string]any{"id": otherID, "d": "other.example"})

			in := map[string]any{"name": "Corp", "scopes": []string{"openid", "email", "groups"}, "claims": map[string]any{"email": "mail"},
				"trustEmailVerified": true, "trustUpstreamAmr": true, "responseMode": "form_post", "clientSecret": "new-secret",
				"addDomains": []string{"New.Example"}}
			d := e.ok(t, p, admin, updateConnector, map[string]any{"id": id, "in": in})
			got := path(d, "updateConnector")
			require.Equal(t, "Corp", path(got, "name"))
			require.Equal(t, []any{"openid", "email", "groups"}, path(got, "scopes"))
			require.Equal(t, "mail", path(got, "claims", "email"))
			require.Equal(t, true, path(got, "trustEmailVerified"))
			require.Equal(t, true, path(got, "trustUpstreamAmr"))
			require.Equal(t, "form_post", path(got, "responseMode"))
			require.Equal(t, []any{"corp.example", "new.example"}, path(got, "domains"))
			require.Equal(t, true, path(got, "domainStates", 0, "verified"), "a kept domain keeps its proof")
			require.Equal(t, false, path(got, "domainStates", 1, "verified"), "a domain added starts pending")
			raw, err := json.Marshal(d)
			require.NoError(t, err)
			require.NotContains(t, string(raw), "secret")
			row, err := e.scope(p).Connectors().Get(t.Context(), uuid.MustParse(id))
			require.NoError(t, err)
			require.Equal(t, "new-secret", row.ClientSecret)

			// Only the name given changes; the rest stays.
			got = path(e.ok(t, p, admin, updateConnector, map[string]any{"id": id, "in": map[string]any{"name": "Corp SSO"}}), "updateConnector")
			require.Equal(t, "form_post", path(got, "responseMode"))
			require.Equal(t, []any{"openid", "email", "groups"}, path(got, "scopes"))

			refused := func(code, field string, in map[string]any) {
				t.Helper()
				a := e.refused(t, p, admin, code, updateConnector, map[string]any{"id": id, "in": in})
				require.Equal(t, field, a.errors[0].Extensions["field"])
			}
			refused("invalid_input", "scopes", map[string]any{"scopes": []string{"email"}})
			refused("invalid_input", "response_mode", map[string]any{"responseMode": "fragment"})
			refused("invalid_input", "name", map[string]any{"name": "Other"})
			refused("invalid_input", "domains", map[string]any{"removeDomains": []string{"corp.example", "new.example"}})
			refused("invalid_input", "domains", map[string]any{"addDomains": []string{"not a domain"}})
			refused("domain_verified_elsewhere", "domains", map[string]any{"addDomains": []string{"other.example"}})
			e.refused(t, p, user, "forbidden", updateConnector, map[string]any{"id": id, "in": map[string]any{"name": "Mine"}})

			// A verified domain removed routes nobody and is free for the
			// other connector.
			got = path(e.ok(t, p, admin, updateConnector, map[string]any{"id": id, "in": map[string]any{"removeDomains": []string{"corp.example"}}}), "updateConnector")
			require.Equal(t, []any{"new.example"}, path(got, "domains"))
			got = path(e.ok(t, p, admin, updateConnector, map[string]any{"id": otherID, "in": map[string]any{"addDomains": []string{"corp.example"}}}), "updateConnector")
			require.Equal(t, "corp.example", path(got, "domainStates", 1, "domain"))
			require.Equal(t, false, path(got, "domainStates", 1, "verified"), "corp.example, now the other's, is pending")
			e.refused(t, p, admin, "not_found", updateConnector, map[string]any{"id": uuid.NewString(), "in": map[string]any{"name": "X"}})
		})
	}
}
