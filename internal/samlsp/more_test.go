package samlsp_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
)

// TestSP_RefusesAnUnsignedAssertionEncryptedToIt: anyone can encrypt to
// the SP's public certificate, so encryption is no signature.
func TestSP_RefusesAnUnsignedAssertionEncryptedToIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testdb.New(t, testdb.SQLite))
	h.plain = true
	sp := h.addSP("/main", h.spSrv.URL+"/main/metadata")
	_, cert, err := h.pairs[sp.EntityID()].Parse()
	require.NoError(t, err)
	f := edit(t, h.signIn(sp, "forged", nil), func(doc *etree.Document) {
		for _, sig := range doc.FindElements("//Signature") {
			sig.Parent().RemoveChild(sig)
		}
		assertion := doc.FindElement("//Assertion")
		plain := etree.NewDocument()
		plain.SetRoot(assertion.Copy())
		raw, err := plain.WriteToBytes()
		require.NoError(t, err)
		enc := xmlenc.OAEP()
		enc.BlockCipher = xmlenc.AES256GCM
		data, err := enc.Encrypt(cert, raw, nil)
		require.NoError(t, err)
		data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
		wrapper := etree.NewElement("saml:EncryptedAssertion")
		wrapper.AddChild(data)
		parent := assertion.Parent()
		parent.RemoveChild(assertion)
		parent.AddChild(wrapper)
	})
	require.True(t, encrypted(t, f))
	got := h.post(f, "")
	require.Equal(t, http.StatusUnauthorized, got.Status, "%s", got)
	require.Equal(t, "saml_signature_invalid", got.Code)
}

func TestSP_IdPInitiatedSignInOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testdb.New(t, testdb.SQLite))
	strict := h.addSP("/strict", h.spSrv.URL+"/strict/metadata")
	h.allowIDPInitiated = true
	open := h.addSP("/open", h.spSrv.URL+"/open/metadata")
	initiate := func(entityID string) form {
		return h.readForm(h.idpSrv.URL + "/initiate?" + url.Values{"sp": {entityID}, "relay": {"idp"}}.Encode())
	}

	got := h.post(initiate(strict.EntityID()), "")
	require.Equal(t, http.StatusUnauthorized, got.Status, "%s", got)
	require.Equal(t, "saml_request_mismatch", got.Code, "an unsolicited answer needs AllowIDPInitiated")

	got = h.post(initiate(open.EntityID()), "")
	require.Equal(t, http.StatusOK, got.Status, "%s", got)
	require.Equal(t, "alice@corp.example", got.Assertion.Email)

	// An answer to a request still has to match the flow's, even there.
	got = h.post(h.signIn(open, "solicited", []string{"id-of-another-flow"}), "")
	require.Equal(t, "saml_request_mismatch", got.Code)
}
