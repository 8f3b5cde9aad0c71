package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// idpMetadata serves a crewjam/saml IdP's metadata on 127.0.0.1 and
// returns its URL and XML.
func idpMetadata(t *testing.T) (string, []byte) {
	t.Helper()
	pair, err := samlsp.GenerateKeyPair("idp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	var srv *httptest.Server
	var raw []byte
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(raw) }))
	t.Cleanup(srv.Close)
	meta, _ := url.Parse(srv.URL + "/metadata")
	sso, _ := url.Parse(srv.URL + "/sso")
	idp := &saml.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso}
	raw, err = xml.Marshal(idp.Metadata())
	require.NoError(t, err)
	return meta.String(), raw
}

func TestCLI_ConnectorCreateSAML(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			kek := make([]byte, 32)
			_, _ = rand.Read(kek)
			dsn := testdb.NewDSN(t, b)
			env := map[string]string{"DATABASE_URL": dsn, "SESAME_BASE_DOMAIN": "id.example.com", "SESAME_KEY_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(kek)}
			code, _, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)
			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitOK, code, stderr)
			metaURL, metaXML := idpMetadata(t)

			// Outside development, metadata on a private address is refused.
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise", "--type", "saml",
				"--domain", "corp.example", "--metadata-url", metaURL)
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "metadata-url: Sesame could not read the IdP's metadata there")

			dev := map[string]string{"SESAME_ENV": "development"}
			for k, v := range env {
				dev[k] = v
			}
			code, stdout, stderr := cli(t, dev, "connector", "create", "--tenant", "acme", "--name", "Corp SSO", "--kind", "enterprise", "--type", "saml",
				"--domain", "corp.example", "--metadata-url", metaURL, "--json")
			require.Equal(t, exitOK, code, stderr)
			var out struct {
				ID          string `json:"id"`
				ACSURL      string `json:"acs_url"`
				MetadataURL string `json:"metadata_url"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			require.Equal(t, "https://acme.id.example.com/federation/"+out.ID+"/saml/acs", out.ACSURL)
			require.Equal(t, "https://acme.id.example.com/federation/"+out.ID+"/saml/metadata", out.MetadataURL)
			require.NotContains(t, stdout, "PRIVATE KEY")

			file := filepath.Join(t.TempDir(), "idp.xml")
			require.NoError(t, os.WriteFile(file, metaXML, 0o600))
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Partner", "--kind", "social", "--type", "saml", "--metadata-file", file)
			require.Equal(t, exitOK, code, stderr)
			require.NoError(t, os.WriteFile(file, []byte("<not-metadata/>"), 0o600))
			code, _, stderr = cli(t, env, "connector", "create", "--tenant", "acme", "--name", "Broken", "--kind", "social", "--type", "saml", "--metadata-file", file)
			require.Equal(t, exitUsage, code)
			require.Contains(t, oneLine(t, stderr), "metadata-url: ")

			code, stdout, stderr = cli(t, env, "connector", "list", "--tenant", "acme")
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, out.ID+"\tenterprise\tsaml\tCorp SSO\tcorp.example\t"+out.ACSURL)
			require.Equal(t, 2, strings.Count(stdout, "\n"))

			// The stored key is sealed, and opens under the server's key
			// into a working SP.
			d, err := db.Open(t.Context(), dsn, db.Options{})
			require.NoError(t, err)
			defer d.Close()
			tn, err := tenants.NewService(d, "").BySlug(t.Context(), "acme")
			require.NoError(t, err)
			scope := d.ForTenant(tn.ID)
			c, err := federation.Get(t.Context(), scope, uuid.MustParse(out.ID))
			require.NoError(t, err)
			require.NotContains(t, c.Secret, "PRIVATE KEY")
			sp, err := federation.SAMLSP(c, tn.ID, "https://acme.id.example.com", kek, scope.SAMLReplay(time.Now), nil)
			require.NoError(t, err)
			require.Equal(t, out.MetadataURL, sp.EntityID())
			_, err = federation.SAMLSP(c, uuid.New(), "https://acme.id.example.com", kek, scope.SAMLReplay(time.Now), nil)
			require.Error(t, err, "the sealed key opens for its own tenant only")
		})
	}
}
