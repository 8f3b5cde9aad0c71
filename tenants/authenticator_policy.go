package tenants

import (
	"fmt"
	"slices"

	"github.com/sesame-id/sesame/internal/aaguid"
)

// Authenticator list modes.
const (
	AuthenticatorsAny   = "any"
	AuthenticatorsAllow = "allow"
	AuthenticatorsDeny  = "deny"
)

// AuthenticatorPolicy says which authenticators may hold a new passkey
// (sign-up and adding one); flows.PasskeyFits applies it. Passkeys made
// before a change stay usable: the account and management APIs mark
// those that no longer fit.
type AuthenticatorPolicy struct {
	// Mode is any, allow (only the listed authenticators) or deny (any
	// but the listed ones). Default any.
	Mode string `json:"mode"`

	// Authenticators are names of the shipped authenticator table
	// (internal/aaguid), matched by the AAGUID the authenticator reports.
	Authenticators []string `json:"authenticators,omitempty"`

	// RequireAttestation, with allow, accepts a listed authenticator only
	// with an attestation statement (not none, not self-signed), so that a
	// client cannot just claim a listed AAGUID; registrations then ask for
	// direct attestation. Default false.
	RequireAttestation bool `json:"require_attestation"`

	// DeviceBoundOnly refuses passkeys that may be synced (backup
	// eligible, BE=1). Default false.
	DeviceBoundOnly bool `json:"device_bound_only"`
}

// DefaultAuthenticatorPolicy accepts any authenticator.
func DefaultAuthenticatorPolicy() AuthenticatorPolicy {
	return AuthenticatorPolicy{Mode: AuthenticatorsAny}
}

// Validate checks the mode and that every name is in the shipped table.
func (p AuthenticatorPolicy) Validate() error {
	if !slices.Contains([]string{AuthenticatorsAny, AuthenticatorsAllow, AuthenticatorsDeny}, p.Mode) {
		return &InputError{Field: "authenticator_policy.mode", Problem: fmt.Sprintf("%q is not one of any, allow, deny", p.Mode)}
	}
	for _, n := range p.Authenticators {
		if !aaguid.Known(n) {
			return &InputError{Field: "authenticator_policy.authenticators", Problem: fmt.Sprintf("%q is not an authenticator name Sesame knows; use a name from its list of authenticators (for example \"YubiKey 5 Series\")", n)}
		}
	}
	if p.Mode == AuthenticatorsAllow && len(p.Authenticators) == 0 {
		return &InputError{Field: "authenticator_policy.authenticators", Problem: "an allow list needs at least one authenticator"}
	}
	if p.RequireAttestation && p.Mode != AuthenticatorsAllow {
		return &InputError{Field: "authenticator_policy.require_attestation", Problem: "attestation can be required only with an allow list"}
	}
	return nil
}
