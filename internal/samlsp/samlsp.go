// Package samlsp is Sesame's SAML 2.0 service provider, one per SAML
// connector: the SP metadata an identity provider imports, the
// AuthnRequest that sends a browser to the IdP (HTTP-Redirect binding) and
// the check of the IdP's answer at the assertion consumer service
// (HTTP-POST binding), built on github.com/crewjam/saml.
//
// Finish accepts an answer only when the library's checks and Sesame's
// pass: the Response or every assertion in it is signed by a certificate
// of the IdP's metadata; the audience is our entity ID; the Destination
// and the bearer confirmation's Recipient are our ACS URL; the assertion's
// time conditions hold within the library's skew (saml.MaxClockSkew) and
// it is no older than saml.MaxIssueDelay; InResponseTo names one of the
// flow's request IDs (an unsolicited answer only with AllowIDPInitiated);
// and its ID was never accepted before (ReplayStore, remembered until the
// assertion could no longer be accepted). Each refusal is a catalogue
// error of internal/errcode (saml_*), 4xx, wrapping the library's cause
// for the log.
//
// The package knows nothing of tenants, connectors or flows: the caller
// builds an SP from a connector's settings, keeps the request ID on its
// flow, and maps the Assertion to an account.
package samlsp

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	crewjamsp "github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-id/sesame/internal/errcode"
)

// Config is one connector's service provider.
type Config struct {
	// EntityID is the SP's entity ID, the audience assertions must name.
	// Empty means MetadataURL.
	EntityID string
	// ACSURL is where the IdP posts its answer; it must be absolute.
	ACSURL string
	// MetadataURL is where the SP metadata is served; it must be absolute.
	MetadataURL string
	// IdPMetadataXML is the IdP's metadata. When empty, New fetches it
	// from IdPMetadataURL with HTTPClient.
	IdPMetadataXML []byte
	IdPMetadataURL string
	// HTTPClient fetches IdPMetadataURL; nil is a client with a 10 s
	// timeout. The caller decides which addresses it may reach.
	HTTPClient *http.Client
	// Key signs the AuthnRequests; Certificate is its public part, in the
	// SP metadata. RSA or ECDSA (GenerateKeyPair makes RSA, which IdPs
	// accept widely and which can also decrypt encrypted assertions).
	Key         crypto.Signer
	Certificate *x509.Certificate
	// AllowIDPInitiated accepts an answer with no InResponseTo (a sign-in
	// started at the IdP). One that names a request must still match.
	AllowIDPInitiated bool
}

// ReplayStore remembers accepted assertion IDs (db.SAMLReplayStore is one,
// per tenant). Remember records id until the given time and reports
// whether it was fresh; of any number of concurrent calls with one id,
// exactly one sees true.
type ReplayStore interface {
	Remember(ctx context.Context, assertionID string, until time.Time) (fresh bool, err error)
}

// SP is one connector's service provider. It is safe for concurrent use.
type SP struct {
	lib    saml.ServiceProvider
	replay ReplayStore
	now    func() time.Time
}

// New builds the service provider of cfg. replay is required; now is the
// clock of every time check (nil: time.Now). A Config that cannot work is
// refused with invalid_input naming the field, IdP metadata that cannot be
// read or fetched with saml_metadata_invalid.
func New(cfg Config, replay ReplayStore, now func() time.Time) (*SP, error) {
	if now == nil {
		now = time.Now
	}
	if replay == nil {
		return nil, errors.New("samlsp: a replay store is required")
	}
	acs, err := absoluteURL("acs_url", cfg.ACSURL)
	if err != nil {
		return nil, err
	}
	meta, err := absoluteURL("metadata_url", cfg.MetadataURL)
	if err != nil {
		return nil, err
	}
	method, err := signatureMethod(cfg.Key, cfg.Certificate)
	if err != nil {
		return nil, err
	}
	idp, err := idpMetadata(cfg)
	if err != nil {
		return nil, err
	}
	sp := &SP{replay: replay, now: now}
	sp.lib = saml.ServiceProvider{
		EntityID:                         cfg.EntityID,
		Key:                              cfg.Key,
		Certificate:                      cfg.Certificate,
		MetadataURL:                      *meta,
		AcsURL:                           *acs,
		IDPMetadata:                      idp,
		AllowIDPInitiated:                cfg.AllowIDPInitiated,
		SignatureMethod:                  method,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		MetadataOmitValidUntil:           true,
		LimitRelayStateLength:            true,
		RejectSHA1Signatures:             true,
		RejectUnknownConditions:          true,
		Clock:                            dsig.NewFakeClock(funcClock{now: now}),
	}
	if sp.lib.GetSSOBindingLocation(saml.HTTPRedirectBinding) == "" {
		return nil, fmt.Errorf("%w: the IdP offers no HTTP-Redirect sign-in", errcode.ErrSAMLMetadataInvalid)
	}
	return sp, nil
}

func absoluteURL(field, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errcode.ErrInvalidInput.WithField(field, "")
	}
	return u, nil
}

// signatureMethod checks that key and certificate belong together and
// picks the SHA-256 signature of the key's type.
func signatureMethod(key crypto.Signer, cert *x509.Certificate) (string, error) {
	if key == nil || cert == nil {
		return "", errcode.ErrInvalidInput.WithField("key", "")
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	if !ok || !pub.Equal(cert.PublicKey) {
		return "", errcode.ErrInvalidInput.WithField("certificate", "")
	}
	switch key.Public().(type) {
	case *rsa.PublicKey:
		return dsig.RSASHA256SignatureMethod, nil
	case *ecdsa.PublicKey:
		return dsig.ECDSASHA256SignatureMethod, nil
	}
	return "", errcode.ErrInvalidInput.WithField("key", "")
}

// idpMetadata parses the IdP's metadata, fetched first when only its URL
// is given.
func idpMetadata(cfg Config) (*saml.EntityDescriptor, error) {
	data := cfg.IdPMetadataXML
	if len(data) == 0 {
		if cfg.IdPMetadataURL == "" {
			return nil, errcode.ErrInvalidInput.WithField("metadata_url", "")
		}
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		var err error
		if data, err = FetchIdPMetadata(ctx, cfg.HTTPClient, cfg.IdPMetadataURL); err != nil {
			return nil, err
		}
	}
	if err := CheckIdPMetadata(data); err != nil {
		return nil, err
	}
	return crewjamsp.ParseMetadata(data)
}

// Metadata returns the SP metadata XML to serve at the metadata URL: the
// entity ID, the ACS URL (HTTP-POST) and the signing certificate.
func (sp *SP) Metadata() ([]byte, error) {
	b, err := xml.MarshalIndent(sp.lib.Metadata(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("samlsp: SP metadata: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// EntityID is the SP's entity ID (the audience it accepts).
func (sp *SP) EntityID() string {
	if sp.lib.EntityID != "" {
		return sp.lib.EntityID
	}
	return sp.lib.MetadataURL.String()
}

// IdPEntityID is the entity ID of the IdP the SP trusts.
func (sp *SP) IdPEntityID() string { return sp.lib.IDPMetadata.EntityID }

// AuthnRequest makes a signed AuthnRequest for the HTTP-Redirect binding:
// the URL to send the browser to and the request's ID, which the caller
// keeps on its flow and passes to Finish. relayState (at most 80 bytes, as
// the bindings require) comes back with the answer.
func (sp *SP) AuthnRequest(relayState string) (redirectURL, requestID string, err error) {
	req, err := sp.lib.MakeAuthenticationRequest(sp.lib.GetSSOBindingLocation(saml.HTTPRedirectBinding),
		saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", "", fmt.Errorf("samlsp: make AuthnRequest: %w", err)
	}
	u, err := req.Redirect(relayState, &sp.lib)
	if errors.Is(err, saml.ErrRelayStateTooLong) {
		return "", "", fmt.Errorf("%w: relay state longer than %d bytes", errcode.ErrInvalidInput, saml.MaxRelayStateLength)
	}
	if err != nil {
		return "", "", fmt.Errorf("samlsp: AuthnRequest redirect: %w", err)
	}
	return u.String(), req.ID, nil
}
