// Package passkey runs Sesame's WebAuthn ceremonies. go-webauthn does the
// ceremony mathematics; this package owns everything around it: one
// configured relying party per tenant (cached, rebuilt when the tenant's
// settings change), ceremony data that the caller stores server-side and
// consumes once, the tenant's policies (user verification, attestation,
// attachment, regressed sign counts), credential lookup scoped to the
// tenant and its RP ID, and authenticator names.
//
// Errors returned to callers wrap ErrVerification (or ErrRegistration) and
// carry no library detail; the detail is logged.
package passkey

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/tenants"
)

// CeremonyTTL is how long a ceremony's challenge stays valid.
const CeremonyTTL = 5 * time.Minute

var (
	// ErrVerification is wrapped by every failed sign-in assertion: wrong
	// challenge, origin, RP ID, signature, flags, unknown credential,
	// another user's credential, ... The client learns only that it failed.
	ErrVerification = errors.New("the passkey could not be verified")

	// ErrRegistration is wrapped by every refused registration.
	ErrRegistration = errors.New("the passkey could not be registered")

	// ErrCounterRegressed is wrapped (with ErrVerification) when the
	// tenant refuses an assertion whose signature counter did not grow.
	ErrCounterRegressed = errors.New("the authenticator's signature counter went backwards")

	// ErrUserDisabled is wrapped (with ErrVerification) when the
	// credential's user is disabled.
	ErrUserDisabled = errors.New("the account is disabled")

	// ErrUnknownCredential is wrapped (with ErrVerification) when the
	// assertion names a credential the tenant does not hold under its RP
	// ID (a passkey removed here, still offered by the browser). Unlike
	// the other reasons it is told to the client, which asks the browser
	// to forget the credential (WebAuthn Signal API): the client sent the
	// id itself, so the answer tells it nothing it did not know.
	ErrUnknownCredential = errors.New("the tenant has no credential with this id")
)

// Service runs ceremonies for every tenant.
type Service struct {
	tenants *tenants.Service
	clock   clock.Clock
	logger  *slog.Logger

	mu    sync.Mutex
	cache map[uuid.UUID]rpEntry
}

type rpEntry struct {
	version int64
	name    string
	rp      tenants.RelyingParty
	wa      *webauthn.WebAuthn
}

// NewService returns a Service for the tenants of ts.
func NewService(ts *tenants.Service, clk clock.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{tenants: ts, clock: clk, logger: logger, cache: make(map[uuid.UUID]rpEntry)}
}

// RelyingParty returns the tenant's configured go-webauthn instance and its
// effective relying party, building it once per settings version.
func (s *Service) relyingParty(t *tenants.Tenant) (*webauthn.WebAuthn, tenants.RelyingParty, error) {
	s.mu.Lock()
	e, ok := s.cache[t.ID]
	s.mu.Unlock()
	if ok && e.version == t.SettingsVersion && e.name == t.Name {
		return e.wa, e.rp, nil
	}

	rp := s.tenants.RelyingParty(t)
	p := t.Settings.Passkeys
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  rp.ID,
		RPDisplayName:         rp.Name,
		RPOrigins:             rp.Origins,
		AttestationPreference: conveyance(t.Settings),
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			AuthenticatorAttachment: attachment(p.Attachment),
			ResidentKey:             protocol.ResidentKeyRequirementRequired,
			RequireResidentKey:      protocol.ResidentKeyRequired(),
			UserVerification:        protocol.UserVerificationRequirement(p.UserVerification),
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
		},
	})
	if err != nil {
		return nil, rp, fmt.Errorf("configure relying party of tenant %s: %w", t.Slug, err)
	}
	s.mu.Lock()
	s.cache[t.ID] = rpEntry{version: t.SettingsVersion, name: t.Name, rp: rp, wa: wa}
	s.mu.Unlock()
	return wa, rp, nil
}

// RelyingParty returns the tenant's effective relying party.
func (s *Service) RelyingParty(t *tenants.Tenant) tenants.RelyingParty {
	return s.tenants.RelyingParty(t)
}

// conveyance is the attestation the registrations ask for: the tenant's,
// or direct where its authenticator policy requires an attestation.
func conveyance(s tenants.Settings) protocol.ConveyancePreference {
	if s.AuthenticatorPolicy.RequireAttestation {
		return protocol.PreferDirectAttestation
	}
	return protocol.ConveyancePreference(s.Passkeys.Attestation)
}

func attachment(a string) protocol.AuthenticatorAttachment {
	switch a {
	case tenants.AttachmentPlatform:
		return protocol.Platform
	case tenants.AttachmentCrossPlatform:
		return protocol.CrossPlatform
	}
	return ""
}
