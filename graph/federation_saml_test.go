package graph_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/testdb"
)

const createSAMLConnector = `mutation($in: CreateConnectorInput!) { createConnector(input: $in) {
	id type callbackUrl acsUrl metadataUrl entityId idpEntityId domains } }`

// idpMetadataXML is the metadata of crewjam/saml's IdentityProvider (the
// library's own IdP, not a copy of its output) at entityID.
func idpMetadataXML(t *testing.T, entityID string) string {
	t.Helper()
	pair, err := samlsp.GenerateKeyPair("idp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	meta, _ := url.Parse(entityID)
	sso, _ := url.Parse(entityID + "/sso")
	idp := &saml.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso}
	b, err := xml.Marshal(idp.Metadata())
	require.NoError(t, err)
	return string(b)
}

// TestConnectors_SAMLCreatedWithIdPMetadata: an administrator creates a
// saml connector from the IdP's metadata XML and is given the ACS and SP
// metadata URLs to register with the IdP (listed again later); metadata
// that is missing, not SAML, or given twice is refused naming the field,
// with nothing written.
func TestConnectors_SAMLCreatedWithIdPMetadata(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			base := map[string]any{"name": "Corp SAML", "kind": "ENTERPRISE", "type": "SAML", "domains": []string{"corp.example"}}
			with := func(k, v string) map[string]any {
				in := map[string]any{k: v}
				for bk, bv := range base {
					in[bk] = bv
				}
				return map[string]any{"in": in}
			}
			for _, in := range []map[string]any{
				{"in": base},
				with("metadataXml", "<html>not metadata</html>"),
				with("metadataUrl", "ftp://idp.corp.example/metadata"),
			} {
				a := e.refused(t, p, admin, "invalid_input", createSAMLConnector, in)
				require.Equal(t, "metadata_url", a.errors[0].Extensions["field"])
			}
			both := with("metadataXml", idpMetadataXML(t, "https://idp.corp.example/metadata"))
			both["in"].(map[string]any)["metadataUrl"] = "https://idp.corp.example/metadata"
			e.refused(t, p, admin, "invalid_input", createSAMLConnector, both)
			require.Empty(t, path(e.ok(t, p, admin, listConnectors, nil), "connectors"), "a refused connector is not written")
			e.refused(t, p, user, "forbidden", createSAMLConnector, with("metadataXml", idpMetadataXML(t, "https://idp.corp.example/metadata")))

			d := e.ok(t, p, admin, createSAMLConnector, with("metadataXml", idpMetadataXML(t, "https://idp.corp.example/metadata")))
			got := path(d, "createConnector")
			id := path(got, "id").(string)
			origin := e.srv.URL(p.tenant.Slug) + "/federation/" + id
			require.Equal(t, "SAML", path(got, "type"))
			require.Equal(t, origin+"/saml/acs", path(got, "acsUrl"))
			require.Equal(t, origin+"/saml/acs", path(got, "callbackUrl"))
			require.Equal(t, origin+"/saml/metadata", path(got, "metadataUrl"))
			require.Equal(t, origin+"/saml/metadata", path(got, "entityId"))
			require.Equal(t, "https://idp.corp.example/metadata", path(got, "idpEntityId"))

			// The SP metadata the URL names is served, with the ACS.
			rec := httptest.NewRecorder()
			e.srv.App.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, origin+"/saml/metadata", nil))
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, rec.Body.String(), origin+"/saml/acs")

			d = e.ok(t, p, admin, `{ connectors { type acsUrl metadataUrl } }`, nil)
			require.Equal(t, "SAML", path(d, "connectors", 0, "type"))
			require.Equal(t, origin+"/saml/acs", path(d, "connectors", 0, "acsUrl"))
			require.Equal(t, origin+"/saml/metadata", path(d, "connectors", 0, "metadataUrl"))

			// An OIDC connector has no SAML URLs.
			in := map[string]any{"name": "Social", "kind": "SOCIAL", "type": "OIDC", "issuer": "https://op.example",
				"clientId": "c", "clientSecret": "s"}
			d = e.ok(t, p, admin, createSAMLConnector, map[string]any{"in": in})
			require.Nil(t, path(d, "createConnector", "acsUrl"))
			require.Nil(t, path(d, "createConnector", "metadataUrl"))
			require.Equal(t, e.srv.URL(p.tenant.Slug)+"/federation/"+path(d, "createConnector", "id").(string)+"/callback", path(d, "createConnector", "callbackUrl"))
		})
	}
}

// TestConnectors_SAMLMetadataURLReadOverTheBackChannel: createConnector
// reads the IdP's metadata from its URL once, on a development server
// (whose IdPs may run on 127.0.0.1); a production server refuses to reach
// a private address, naming the field, with nothing written.
func TestConnectors_SAMLMetadataURLReadOverTheBackChannel(t *testing.T) {
	t.Parallel()
	var idp *httptest.Server
	idp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write([]byte(idpMetadataXML(t, idp.URL+"/metadata")))
	}))
	t.Cleanup(idp.Close)
	in := map[string]any{"in": map[string]any{"name": "Corp SAML", "kind": "SOCIAL", "type": "SAML", "metadataUrl": idp.URL + "/metadata"}}
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			prod := newAPIEnv(t, b, false)
			a := prod.refused(t, prod.acme, admin, "invalid_input", createSAMLConnector, in)
			require.Equal(t, "metadata_url", a.errors[0].Extensions["field"])
			require.Empty(t, path(prod.ok(t, prod.acme, admin, listConnectors, nil), "connectors"))

			dev := newAPIEnv(t, b, true)
			d := dev.ok(t, dev.acme, admin, createSAMLConnector, in)
			require.Equal(t, idp.URL+"/metadata", path(d, "createConnector", "idpEntityId"))
			require.Len(t, path(dev.ok(t, dev.acme, admin, listConnectors, nil), "connectors"), 1)
		})
	}
}
