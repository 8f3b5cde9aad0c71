package passkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-webauthn/webauthn/metadata"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/aaguid"
	"github.com/sesame-id/sesame/internal/text"
	"github.com/sesame-id/sesame/tenants"
)

// NameMaxLen is the longest passkey name accepted, in characters.
const NameMaxLen = 100

// Registrant is who a registration ceremony creates a credential for.
type Registrant struct {
	// Handle is the user's WebAuthn user handle (1–64 random bytes).
	Handle []byte
	// Name is what the authenticator shows as the account (an email,
	// phone or username); DisplayName its friendlier form.
	Name, DisplayName string
	// Existing are the user's credentials, excluded so an authenticator
	// that already holds one is not registered twice.
	Existing []*db.Credential
}

// BeginRegistration starts a registration ceremony for r under the
// tenant's policies (discoverable credential required, user verification,
// attachment, attestation conveyance).
func (s *Service) BeginRegistration(t *tenants.Tenant, r Registrant) (*Options, *Ceremony, error) {
	if len(r.Handle) == 0 || len(r.Handle) > 64 {
		return nil, nil, fmt.Errorf("begin registration: the user handle must be 1 to 64 bytes, got %d", len(r.Handle))
	}
	wa, rp, err := s.relyingParty(t)
	if err != nil {
		return nil, nil, err
	}
	u := &waUser{handle: r.Handle, name: r.Name, displayName: cmpOr(r.DisplayName, r.Name)}
	var exclude []protocol.CredentialDescriptor
	for _, c := range r.Existing {
		if c.RPID == rp.ID {
			exclude = append(exclude, descriptor(c))
		}
	}
	creation, session, err := wa.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, nil, fmt.Errorf("begin registration: %w", err)
	}
	publicKey, err := json.Marshal(creation.Response)
	if err != nil {
		return nil, nil, fmt.Errorf("encode creation options: %w", err)
	}
	c := &Ceremony{Kind: KindRegistration, RPID: rp.ID, Session: *session, Expires: s.clock.Now().Add(CeremonyTTL)}
	return &Options{PublicKey: publicKey}, c, nil
}

// FinishRegistration checks a RegistrationResponseJSON against the ceremony
// and the tenant's policies and returns the credential to store (not yet
// stored; storing it can still fail with db.ErrDuplicate). name is what the
// user called it; empty means the authenticator's name from its AAGUID, or
// failing that a name from userAgent.
func (s *Service) FinishRegistration(ctx context.Context, t *tenants.Tenant, c *Ceremony, r Registrant, response []byte, name, userAgent string) (*db.Credential, error) {
	cred, err := s.finishRegistration(t, c, r, response, name, userAgent)
	if err != nil {
		s.logger.InfoContext(ctx, "passkey registration refused", "tenant", t.Slug, "reason", err.Error())
		return nil, fmt.Errorf("%w: %w", ErrRegistration, err)
	}
	return cred, nil
}

func (s *Service) finishRegistration(t *tenants.Tenant, c *Ceremony, r Registrant, response []byte, name, userAgent string) (*db.Credential, error) {
	wa, rp, err := s.relyingParty(t)
	if err != nil {
		return nil, err
	}
	if err := checkCeremony(c, KindRegistration, "a registration", rp.ID, s.clock.Now()); err != nil {
		return nil, err
	}
	// The doors check the name first (flows.PasskeyName) to answer with
	// the field; this keeps any other caller from storing a name that is
	// not one line of text.
	if name, err = text.Line(name, NameMaxLen); err != nil {
		return nil, fmt.Errorf("the name %w", err)
	}

	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, fmt.Errorf("parse registration: %s", devInfo(err))
	}
	u := &waUser{handle: r.Handle, name: r.Name, displayName: cmpOr(r.DisplayName, r.Name)}
	created, err := wa.CreateCredential(u, c.Session, parsed)
	if err != nil {
		return nil, fmt.Errorf("validate registration: %s", devInfo(err))
	}
	if err := checkRegistrationPolicy(t.Settings.Passkeys, created, parsed); err != nil {
		return nil, err
	}
	if name == "" {
		name = authenticatorName(created.Authenticator.AAGUID, userAgent)
	}
	return s.newCredential(rp.ID, created, parsed, name)
}

// checkRegistrationPolicy enforces the tenant's passkey policy on a
// verified registration. It is enforced here, not only requested in the
// options, which a client may ignore.
func checkRegistrationPolicy(p tenants.Passkeys, created *webauthn.Credential, parsed *protocol.ParsedCredentialCreationData) error {
	// Direct attestation asks the authenticator to prove what it is: a
	// missing statement, or one signed by the credential's own key (self
	// attestation), proves nothing.
	if p.Attestation == tenants.AttestationDirect {
		switch {
		case created.AttestationFormat == "none" || created.AttestationType == "none" || created.AttestationFormat == "":
			return errors.New("the tenant requires an attestation statement and none was given")
		case created.AttestationType == string(metadata.BasicSurrogate):
			return errors.New("the tenant requires an attestation by the authenticator's maker, and the credential attested itself")
		}
	}
	if want := attachment(p.Attachment); want != "" {
		got := protocol.AuthenticatorAttachment(parsed.AuthenticatorAttachment)
		if got != want {
			return fmt.Errorf("the tenant accepts only %s authenticators, this one is %q", want, got)
		}
	}
	if p.UserVerification == tenants.UVRequired && !created.Flags.UserVerified {
		return errors.New("the tenant requires user verification and the authenticator did not verify the user")
	}
	return nil
}

// newCredential is the row to store for a verified registration under
// the RP ID rpID.
func (s *Service) newCredential(rpID string, created *webauthn.Credential, parsed *protocol.ParsedCredentialCreationData, name string) (*db.Credential, error) {
	alg, err := algorithm(created.PublicKey)
	if err != nil {
		return nil, err
	}
	var transports []string
	for _, tr := range created.Transport {
		transports = append(transports, string(tr))
	}
	return &db.Credential{
		RPID:              rpID,
		CredentialID:      created.ID,
		PublicKey:         created.PublicKey,
		Algorithm:         alg,
		AttestationType:   created.AttestationType,
		AttestationFormat: created.AttestationFormat,
		AAGUID:            created.Authenticator.AAGUID,
		SignCount:         int64(created.Authenticator.SignCount),
		Transports:        strings.Join(transports, ","),
		Attachment:        string(parsed.AuthenticatorAttachment),
		UserPresent:       created.Flags.UserPresent,
		UserVerified:      created.Flags.UserVerified,
		BackupEligible:    created.Flags.BackupEligible,
		BackupState:       created.Flags.BackupState,
		Name:              name,
		CreatedAt:         s.clock.Now(),
	}, nil
}

// authenticatorName names a credential after its authenticator, or after
// the browser that made it when the AAGUID is unknown.
func authenticatorName(id []byte, userAgent string) string {
	if n, ok := aaguid.Name(id); ok {
		return n
	}
	return aaguid.FallbackName(userAgent)
}

// AuthenticatorName returns the name of the authenticator with this
// AAGUID, if known.
func AuthenticatorName(id []byte) (string, bool) { return aaguid.Name(id) }

// algorithm reads the COSE algorithm of a credential public key.
func algorithm(publicKey []byte) (int64, error) {
	var pk webauthncose.PublicKeyData
	if err := webauthncbor.Unmarshal(publicKey, &pk); err != nil {
		return 0, fmt.Errorf("read public key algorithm: %w", err)
	}
	return pk.Algorithm, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
