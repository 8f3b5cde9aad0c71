package federation

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crewjam/saml"
	crewjamsp "github.com/crewjam/saml/samlsp"
	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/samlsp"
)

// SAMLSettings is a saml connector's own settings (Settings.SAML): the
// IdP's metadata as fetched or given at creation (sign-ins never wait on
// the IdP's metadata URL), and the SP's certificate. The SP's private key
// is the row's write-only secret, sealed (SealSAMLKey).
type SAMLSettings struct {
	IdPMetadataURL string `json:"idp_metadata_url,omitempty"`
	IdPMetadataXML string `json:"idp_metadata_xml"`
	IdPEntityID    string `json:"idp_entity_id"`
	CertificatePEM string `json:"certificate_pem"`
}

func init() { RegisterType(TypeSAML, checkSAML) }

// checkSAML refuses a saml spec whose settings CreateSAML did not make.
func checkSAML(_ context.Context, s *Settings, spec Spec) error {
	var ss SAMLSettings
	if len(spec.SAML) == 0 || json.Unmarshal(spec.SAML, &ss) != nil || ss.IdPMetadataXML == "" || ss.CertificatePEM == "" || spec.Secret == "" || spec.ID == uuid.Nil {
		return flows.ErrInvalidInput.WithField("metadata_url", "Give the IdP's metadata URL or its metadata XML file.")
	}
	if spec.TrustEmailVerified != nil {
		s.TrustEmailVerified = *spec.TrustEmailVerified
	}
	if spec.TrustUpstreamAMR != nil {
		s.TrustUpstreamAMR = *spec.TrustUpstreamAMR
	}
	return nil
}

// SAMLSpec is what a person gives for a saml connector besides Spec's
// name, kind, domains and trust settings: the IdP's metadata URL or XML.
type SAMLSpec struct {
	MetadataURL string
	MetadataXML []byte
	// HTTPClient fetches MetadataURL: the door decides which addresses
	// it may reach (jobs.NewBackchannelHTTPClient: public ones only
	// outside development).
	HTTPClient *http.Client
	// KeyEncryptionKey (32 bytes) seals the SP's private key.
	KeyEncryptionKey []byte
}

// CreateSAML creates a saml connector: the IdP's metadata fetched (or
// given) and checked, the SP's key pair generated, its private key sealed
// under the key-encryption key for this tenant and connector only.
func CreateSAML(ctx context.Context, scope db.Scope, spec Spec, ss SAMLSpec, now time.Time) (*Connector, error) {
	spec.Type = TypeSAML
	data := ss.MetadataXML
	switch {
	case len(data) == 0 && ss.MetadataURL == "":
		return nil, flows.ErrInvalidInput.WithField("metadata_url", "Give the IdP's metadata URL or its metadata XML file.")
	case len(data) == 0:
		if !upstreamURL(ss.MetadataURL) {
			return nil, flows.ErrInvalidInput.WithField("metadata_url", "The metadata URL must be an https URL (http only on localhost).")
		}
		var err error
		if data, err = samlsp.FetchIdPMetadata(ctx, ss.HTTPClient, ss.MetadataURL); err != nil {
			return nil, metadataRefusal(err)
		}
	default:
		if err := samlsp.CheckIdPMetadata(data); err != nil {
			return nil, metadataRefusal(err)
		}
	}
	idp, err := idpEntityID(data)
	if err != nil {
		return nil, err
	}
	spec.ID = uuid.Must(uuid.NewV7())
	pair, err := samlsp.GenerateKeyPair(spec.ID.String(), now)
	if err != nil {
		return nil, err
	}
	sealed, err := SealSAMLKey(ss.KeyEncryptionKey, scope.TenantID(), spec.ID, pair.KeyPEM)
	if err != nil {
		return nil, err
	}
	spec.Secret = sealed
	spec.SAML, err = json.Marshal(SAMLSettings{IdPMetadataURL: ss.MetadataURL, IdPMetadataXML: string(data), IdPEntityID: idp, CertificatePEM: string(pair.CertificatePEM)})
	if err != nil {
		return nil, err
	}
	return Create(ctx, scope, spec, now)
}

func metadataRefusal(err error) error {
	if errors.Is(err, errcode.ErrSAMLMetadataInvalid) {
		return flows.ErrInvalidInput.WithField("metadata_url", "Sesame could not read the IdP's metadata there: give the URL or file of the IdP's SAML 2.0 metadata.")
	}
	return err
}

// idpEntityID reads the IdP's entity ID; its metadata must offer the
// HTTP-Redirect sign-in the SP sends AuthnRequests to.
func idpEntityID(data []byte) (string, error) {
	ed, err := crewjamsp.ParseMetadata(data)
	if err != nil {
		return "", metadataRefusal(fmt.Errorf("%w: %v", errcode.ErrSAMLMetadataInvalid, err))
	}
	for _, d := range ed.IDPSSODescriptors {
		for _, s := range d.SingleSignOnServices {
			if s.Binding == saml.HTTPRedirectBinding {
				return ed.EntityID, nil
			}
		}
	}
	return "", flows.ErrInvalidInput.WithField("metadata_url", "The IdP offers no HTTP-Redirect sign-in, which Sesame sends its requests to.")
}

// SAMLMetadataURL is a saml connector's SP metadata (and entity ID) under
// the tenant's origin; SAMLACSURL its assertion consumer service.
func SAMLMetadataURL(origin string, id uuid.UUID) string {
	return strings.TrimSuffix(origin, "/") + "/federation/" + id.String() + "/saml/metadata"
}

// SAMLACSURL is where the IdP posts its answer for connector id.
func SAMLACSURL(origin string, id uuid.UUID) string {
	return strings.TrimSuffix(origin, "/") + "/federation/" + id.String() + "/saml/acs"
}

// SAMLSP builds connector c's service provider under origin: its key
// opened with kek, the IdP's stored metadata, the tenant's replay store.
// The SP's entity ID is its metadata URL.
func SAMLSP(c *Connector, tenant uuid.UUID, origin string, kek []byte, replay samlsp.ReplayStore, now func() time.Time) (*samlsp.SP, error) {
	if c.Type != TypeSAML {
		return nil, fmt.Errorf("connector %s is not saml", c.ID)
	}
	var ss SAMLSettings
	if err := json.Unmarshal(c.Settings.SAML, &ss); err != nil {
		return nil, fmt.Errorf("connector %s saml settings: %w", c.ID, err)
	}
	keyPEM, err := OpenSAMLKey(kek, tenant, c.ID, c.Secret)
	if err != nil {
		return nil, err
	}
	key, cert, err := samlsp.KeyPair{KeyPEM: keyPEM, CertificatePEM: []byte(ss.CertificatePEM)}.Parse()
	if err != nil {
		return nil, fmt.Errorf("connector %s key pair: %w", c.ID, err)
	}
	return samlsp.New(samlsp.Config{
		ACSURL: SAMLACSURL(origin, c.ID), MetadataURL: SAMLMetadataURL(origin, c.ID),
		IdPMetadataXML: []byte(ss.IdPMetadataXML), Key: key, Certificate: cert,
	}, replay, now)
}

// SAMLIdentity is who an accepted assertion says signed in: the NameID as
// the subject (ask the IdP for a persistent one), and the IdP's email
// address, which counts as verified only when the connector trusts the
// IdP's addresses (TrustEmailVerified: SAML has no standard claim for it).
func SAMLIdentity(a samlsp.Assertion) (*Identity, error) {
	id := &Identity{Subject: a.Subject, Email: strings.ToLower(strings.TrimSpace(a.Email)), Name: a.Name}
	id.EmailVerified = id.Email != ""
	if id.Subject == "" {
		return nil, fmt.Errorf("%w: no NameID", ErrFailed)
	}
	return id, flows.CheckStrings(id)
}

// SAMLPending is what a flow keeps while the person is at the IdP: the
// AuthnRequest's ID, which the answer must name (InResponseTo), and which
// the ACS hands back as the answer's state.
func SAMLPending(c *Connector, requestID string) *Pending {
	return &Pending{ConnectorID: c.ID.String(), StateHash: hashState(requestID), RequestID: requestID}
}

// samlBeginKey passes the SP and the relay state to federation.begin.
type samlBeginKey struct{}

// SAMLBegin is what the door prepares for federation.begin on a saml
// connector: the connector's SP and the relay state (the flow's
// reference, at most 80 bytes) the IdP sends back to the ACS.
type SAMLBegin struct {
	ConnectorID uuid.UUID
	SP          *samlsp.SP
	RelayState  string
}

// WithSAMLBegin passes b to the federation.begin step.
func WithSAMLBegin(ctx context.Context, b *SAMLBegin) context.Context {
	return context.WithValue(ctx, samlBeginKey{}, b)
}

// SAMLBeginFrom returns what WithSAMLBegin passed, or nil.
func SAMLBeginFrom(ctx context.Context) *SAMLBegin {
	b, _ := ctx.Value(samlBeginKey{}).(*SAMLBegin)
	return b
}

// SealSAMLKey seals a connector's SP private key with AES-256-GCM under
// kek, the tenant and connector ids as additional data (so a sealed key
// copied to another row does not open), as the OpenID Provider's signing
// keys are sealed; base64 for the row's secret column.
func SealSAMLKey(kek []byte, tenant, connector uuid.UUID, keyPEM []byte) (string, error) {
	aead, err := gcm(kek)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, keyPEM, sealAD(tenant, connector))), nil
}

// OpenSAMLKey opens what SealSAMLKey sealed. A key that does not open
// (sealed under another key-encryption key, or copied from another row)
// is errcode.ErrConnectorMisconfigured: the connector must be created
// again with this server's key.
func OpenSAMLKey(kek []byte, tenant, connector uuid.UUID, sealed string) ([]byte, error) {
	aead, err := gcm(kek)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, fmt.Errorf("%w: connector %s: sealed SP key unreadable", errcode.ErrConnectorMisconfigured, connector)
	}
	ns := aead.NonceSize()
	out, err := aead.Open(nil, raw[:ns], raw[ns:], sealAD(tenant, connector))
	if err != nil {
		return nil, fmt.Errorf("%w: connector %s: SP key does not open with this key-encryption key (create the connector again with it): %v", errcode.ErrConnectorMisconfigured, connector, err)
	}
	return out, nil
}

func gcm(kek []byte) (cipher.AEAD, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("key-encryption key: want 32 bytes, got %d", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealAD(tenant, connector uuid.UUID) []byte {
	return []byte("sesame saml sp key|" + tenant.String() + "|" + connector.String())
}
