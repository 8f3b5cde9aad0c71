package passkey

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// Ceremony kinds.
const (
	KindRegistration   = "registration"
	KindAuthentication = "authentication"
)

// Ceremony is what a caller stores server-side between a ceremony's begin
// and finish (on the flow row, see db.Flow.Ceremony), and consumes exactly
// once. It is never sent to the client.
type Ceremony struct {
	Kind string `json:"kind"`
	// RPID is the RP ID the ceremony began under; a finish under another
	// (the tenant changed it meanwhile) fails.
	RPID    string               `json:"rp_id"`
	Session webauthn.SessionData `json:"session"`
	// Expires is when the challenge stops being accepted.
	Expires time.Time `json:"expires"`
}

// Encode returns the ceremony as stored.
func (c *Ceremony) Encode() (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode ceremony: %w", err)
	}
	return string(b), nil
}

// DecodeCeremony reads a stored ceremony.
func DecodeCeremony(s string) (*Ceremony, error) {
	var c Ceremony
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode ceremony: %w", err)
	}
	return &c, nil
}

// checkCeremony refuses a ceremony that is not of kind (named by what, as
// "a sign-in"), has expired at now, or began under another RP ID than the
// tenant's current rpID (the tenant changed it meanwhile).
func checkCeremony(c *Ceremony, kind, what, rpID string, now time.Time) error {
	switch {
	case c.Kind != kind:
		return fmt.Errorf("ceremony is a %s, not %s", c.Kind, what)
	case !now.Before(c.Expires):
		return errors.New("the challenge expired")
	case c.RPID != rpID:
		return fmt.Errorf("the ceremony began under RP ID %s, the tenant now uses %s", c.RPID, rpID)
	}
	return nil
}

// Options is what the client passes to navigator.credentials: the
// standard PublicKeyCredentialCreationOptionsJSON or
// PublicKeyCredentialRequestOptionsJSON, plus the mediation to use.
type Options struct {
	PublicKey json.RawMessage `json:"publicKey"`
	Mediation string          `json:"mediation,omitempty"`
}

// Begun is the output of every action that starts a ceremony: the options
// to pass to navigator.credentials.
type Begun struct {
	Passkey *Options `json:"passkey"`
}
