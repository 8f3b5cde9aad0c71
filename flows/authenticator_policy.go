package flows

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-webauthn/webauthn/metadata"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/aaguid"
	"github.com/sesame-id/sesame/tenants"
)

// PasskeyFits checks a credential against the tenant's authenticator
// policy (tenants.AuthenticatorPolicy): synced passkeys where only
// device-bound ones are accepted, the allow or deny list by the name of
// the authenticator's AAGUID, and an attestation statement where the allow
// list requires one. The registration steps refuse a new passkey that does
// not fit (FinishPasskeyRegistration); the account and management APIs
// mark the existing ones that no longer do. The error says why, for logs.
func PasskeyFits(p tenants.AuthenticatorPolicy, c *db.Credential) error {
	if p.DeviceBoundOnly && c.BackupEligible {
		return errors.New("the passkey may be synced (backup eligible) and the tenant accepts only device-bound passkeys")
	}
	name, known := aaguid.Name(c.AAGUID)
	listed := known && slices.Contains(p.Authenticators, name)
	switch p.Mode {
	case tenants.AuthenticatorsAllow:
		if !listed {
			return fmt.Errorf("the authenticator (%q) is not on the tenant's allow list", name)
		}
		if p.RequireAttestation && !attested(c) {
			return errors.New("the tenant requires an attestation statement for its listed authenticators and the passkey has none")
		}
	case tenants.AuthenticatorsDeny:
		if listed {
			return fmt.Errorf("the authenticator %q is on the tenant's deny list", name)
		}
	}
	return nil
}

// attested reports whether the credential came with an attestation
// statement signed by something other than the credential's own key.
func attested(c *db.Credential) bool {
	switch {
	case c.AttestationFormat == "" || c.AttestationFormat == "none" || c.AttestationType == "none":
		return false
	case c.AttestationType == string(metadata.BasicSurrogate) || c.AttestationType == "self":
		return false
	}
	return true
}
