package samlsp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestKeyPair_RoundTripsAndRefusesAMismatch(t *testing.T) {
	t.Parallel()
	a, err := samlsp.GenerateKeyPair("https://sp.example/saml/"+strings.Repeat("x", 80), time.Now())
	require.NoError(t, err)
	require.Contains(t, string(a.KeyPEM), "-----BEGIN PRIVATE KEY-----")
	require.Contains(t, string(a.CertificatePEM), "-----BEGIN CERTIFICATE-----")
	key, cert, err := a.Parse()
	require.NoError(t, err)
	require.True(t, cert.NotAfter.After(time.Now().Add(9*365*24*time.Hour)))
	require.NotNil(t, key)

	b, err := samlsp.GenerateKeyPair("other", time.Now())
	require.NoError(t, err)
	_, _, err = samlsp.KeyPair{KeyPEM: a.KeyPEM, CertificatePEM: b.CertificatePEM}.Parse()
	require.Error(t, err, "a key with another key's certificate")
	_, _, err = samlsp.KeyPair{KeyPEM: a.CertificatePEM, CertificatePEM: a.KeyPEM}.Parse()
	require.Error(t, err, "swapped")

	// An ECDSA key is accepted too.
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: cert.SerialNumber, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	cder, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec)
	require.NoError(t, err)
	_, _, err = samlsp.KeyPair{
		KeyPEM:         pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		CertificatePEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cder}),
	}.Parse()
	require.NoError(t, err)
}

func TestNew_RefusesAConfigThatCannotWork(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testdb.New(t, testdb.SQLite))
	pair, err := samlsp.GenerateKeyPair("sp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	other, err := samlsp.GenerateKeyPair("other", time.Now())
	require.NoError(t, err)
	_, otherCert, err := other.Parse()
	require.NoError(t, err)
	idpXML, err := samlsp.FetchIdPMetadata(context.Background(), nil, h.idp.MetadataURL.String())
	require.NoError(t, err)
	h.addSP("/spmeta", "https://sp.example/other")
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	good := samlsp.Config{
		EntityID: "https://sp.example/saml", ACSURL: "https://sp.example/saml/acs", MetadataURL: "https://sp.example/saml/metadata",
		IdPMetadataXML: idpXML, Key: key, Certificate: cert,
	}
	_, err = samlsp.New(good, h.store, nil)
	require.NoError(t, err)

	cases := map[string]struct {
		change func(c *samlsp.Config)
		want   *errcode.Error
		field  string
	}{
		"a relative ACS URL":           {func(c *samlsp.Config) { c.ACSURL = "/saml/acs" }, errcode.ErrInvalidInput, "acs_url"},
		"a metadata URL not http":      {func(c *samlsp.Config) { c.MetadataURL = "ftp://sp.example/m" }, errcode.ErrInvalidInput, "metadata_url"},
		"no key":                       {func(c *samlsp.Config) { c.Key = nil }, errcode.ErrInvalidInput, "key"},
		"another key's certificate":    {func(c *samlsp.Config) { c.Certificate = otherCert }, errcode.ErrInvalidInput, "certificate"},
		"no IdP metadata":              {func(c *samlsp.Config) { c.IdPMetadataXML = nil }, errcode.ErrInvalidInput, "metadata_url"},
		"IdP metadata that is not XML": {func(c *samlsp.Config) { c.IdPMetadataXML = []byte("{}") }, errcode.ErrSAMLMetadataInvalid, ""},
		"SP metadata as the IdP's": {func(c *samlsp.Config) {
			c.IdPMetadataXML = fetch(t, h.spSrv.URL+"/spmeta/metadata")
		}, errcode.ErrSAMLMetadataInvalid, ""},
		"an IdP metadata URL that answers 404": {func(c *samlsp.Config) {
			c.IdPMetadataXML, c.IdPMetadataURL = nil, notFound.URL+"/metadata"
		}, errcode.ErrSAMLMetadataInvalid, ""},
	}
	for name, tc := range cases {
		c := good
		tc.change(&c)
		_, err := samlsp.New(c, h.store, nil)
		pub, ok := errcode.Public(err)
		require.True(t, ok, "%s: a catalogue error, got %v", name, err)
		require.Equal(t, tc.want.Code, pub.Code, name)
		require.Equal(t, tc.field, pub.Field, name)
		require.Less(t, pub.Status, 500, name)
	}

	sp, err := samlsp.New(good, h.store, nil)
	require.NoError(t, err)
	_, _, err = sp.AuthnRequest(strings.Repeat("r", 81))
	pub, ok := errcode.Public(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "invalid_input", pub.Code, "a relay state over 80 bytes")

	big := postForm("RelayState=" + strings.Repeat("a", 300<<10))
	_, err = samlsp.RelayState(big)
	pub, ok = errcode.Public(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "saml_response_invalid", pub.Code, "a body over the cap")

	for name, r := range map[string]*http.Request{
		"a GET":           httptest.NewRequest(http.MethodGet, "/acs", nil),
		"no SAMLResponse": postForm("RelayState=x"),
		"an artifact":     postForm("SAMLart=AAQAAA"),
		"not base64":      postForm("SAMLResponse=%%%"),
		"not XML":         postForm("SAMLResponse=bm90IHhtbA=="),
	} {
		_, err := sp.Finish(r, []string{"id-1"})
		pub, ok := errcode.Public(err)
		require.True(t, ok, "%s: %v", name, err)
		require.Less(t, pub.Status, 500, name)
	}
}

func postForm(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/acs", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	return b
}
