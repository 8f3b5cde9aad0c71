package flows

import (
	"encoding/base64"

	"github.com/sesame-id/sesame/db"
)

// PasskeySignals is what a hosted page tells the browser about a user
// through the WebAuthn Signal API: the credential ids the tenant accepts
// (signalAllAcceptedCredentials, so a passkey removed elsewhere disappears
// from this browser's password manager) and the user's current name
// (signalCurrentUserDetails). Ids are base64url without padding, as the
// API takes them.
type PasskeySignals struct {
	// RPID is the tenant's relying-party ID, which the passkeys are under.
	RPID string `json:"rp_id"`
	// UserID is the user handle authenticators were given (user.id).
	UserID string `json:"user_id"`
	// Name is the user's primary identifier, as a new passkey is named.
	Name string `json:"name"`
	// DisplayName is the user's name, or Name when it is empty.
	DisplayName string `json:"display_name"`
	// CredentialIDs are the user's passkeys under RPID.
	CredentialIDs []string `json:"credential_ids"`
}

// NewPasskeySignals makes the signals of user from what a door loaded:
// identifiers and credentials of the user (credentials under other RP IDs
// are left out: a browser signal names one RP ID).
func NewPasskeySignals(rpID string, user *db.User, ids []*db.Identifier, creds []*db.Credential) PasskeySignals {
	enc := base64.RawURLEncoding
	out := PasskeySignals{RPID: rpID, UserID: enc.EncodeToString(user.WebAuthnHandle), CredentialIDs: []string{}}
	out.Name = PrimaryIdentifier(ids)
	out.DisplayName = user.DisplayName
	if out.DisplayName == "" {
		out.DisplayName = out.Name
	}
	for _, c := range creds {
		if c.RPID == rpID {
			out.CredentialIDs = append(out.CredentialIDs, enc.EncodeToString(c.CredentialID))
		}
	}
	return out
}

// PrimaryIdentifier is the identifier an account is known by: the oldest
// verified one, else the oldest; empty without any.
func PrimaryIdentifier(ids []*db.Identifier) string {
	var best *db.Identifier
	for _, id := range ids {
		switch {
		case best == nil:
			best = id
		case (id.VerifiedAt != nil) != (best.VerifiedAt != nil):
			if id.VerifiedAt != nil {
				best = id
			}
		case id.CreatedAt.Before(best.CreatedAt):
			best = id
		}
	}
	if best == nil {
		return ""
	}
	return best.Value
}
