package browser

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// AuthenticatorOptions describes the passkey device that
// [Tab.AddVirtualAuthenticator] plugs into a tab. The zero value is the usual
// platform passkey: a CTAP2 authenticator built into the device (transport
// "internal") that stores discoverable credentials, verifies the user, and
// answers user-presence checks at once. Credentials are device-bound
// (backup eligibility and backup state flags off) unless BackupEligible and
// BackedUp say otherwise.
//
// The boolean options that default to true are pointers: nil keeps the
// default, new(false) turns the capability off.
type AuthenticatorOptions struct {
	// Protocol is the protocol the authenticator speaks; empty means ctap2.
	Protocol webauthn.AuthenticatorProtocol

	// Transport is how the authenticator is attached; empty means internal
	// (a platform authenticator). Use usb for a security key, hybrid for a
	// phone.
	Transport webauthn.AuthenticatorTransport

	// ResidentKey says whether the authenticator can store discoverable
	// credentials (passkeys). Default true.
	ResidentKey *bool

	// UserVerification says whether the authenticator can verify the user
	// (PIN, biometrics). Default true.
	UserVerification *bool

	// UserVerified says whether user verification succeeds. Default true.
	// Set it to new(false) to simulate a user who fails the biometric check;
	// [Authenticator.SetUserVerified] changes it later.
	UserVerified *bool

	// PresenceSimulation says whether user-presence checks succeed at once.
	// Default true. With false they never resolve, as if nobody touched the
	// device, and the ceremony ends by its timeout.
	PresenceSimulation *bool

	// BackupEligible sets the backup eligibility (BE) flag of the credentials
	// the authenticator creates. A synced passkey has BE and BS set; a
	// device-bound one has neither. Default false.
	BackupEligible bool

	// BackedUp sets the backup state (BS) flag of the credentials the
	// authenticator creates. Default false.
	BackedUp bool
}

// virtualOptions turns the options into the protocol's, applying defaults.
func (o AuthenticatorOptions) virtualOptions() *webauthn.VirtualAuthenticatorOptions {
	orTrue := func(b *bool) bool { return b == nil || *b }
	v := &webauthn.VirtualAuthenticatorOptions{
		Protocol:                    o.Protocol,
		Transport:                   o.Transport,
		HasResidentKey:              orTrue(o.ResidentKey),
		HasUserVerification:         orTrue(o.UserVerification),
		IsUserVerified:              orTrue(o.UserVerified),
		AutomaticPresenceSimulation: orTrue(o.PresenceSimulation),
		DefaultBackupEligibility:    o.BackupEligible,
		DefaultBackupState:          o.BackedUp,
	}
	if v.Protocol == "" {
		v.Protocol = webauthn.AuthenticatorProtocolCtap2
	}
	if v.Transport == "" {
		v.Transport = webauthn.AuthenticatorTransportInternal
	}
	return v
}

// Authenticator is a virtual WebAuthn authenticator attached to one tab. It
// answers the tab's navigator.credentials calls in place of a real device,
// and lets the test look at and change what the device holds.
type Authenticator struct {
	tab *Tab
	id  webauthn.AuthenticatorID
}

// AddVirtualAuthenticator enables the WebAuthn domain of the tab, which
// replaces every real authenticator and the browser's passkey dialogs, and
// adds a virtual authenticator described by opts. A tab can hold several;
// each one keeps its own credentials.
func (tab *Tab) AddVirtualAuthenticator(t testing.TB, opts AuthenticatorOptions) *Authenticator {
	t.Helper()
	if !tab.webauthnEnabled {
		call(t, tab, "enabling the WebAuthn domain", webauthn.Enable, webauthn.EnableParams{EnableUI: new(false)})
		tab.webauthnEnabled = true
	}
	v := opts.virtualOptions()
	res := call(t, tab, fmt.Sprintf("adding a virtual %s authenticator over %s", v.Protocol, v.Transport),
		webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: v})
	return &Authenticator{tab: tab, id: res.AuthenticatorID}
}

// ID returns the protocol's identifier of the authenticator.
func (a *Authenticator) ID() webauthn.AuthenticatorID {
	return a.id
}

// Credentials returns the credentials the authenticator holds, private keys
// included, in the protocol's form.
func (a *Authenticator) Credentials(t testing.TB) []*webauthn.Credential {
	t.Helper()
	res := call(t, a.tab, fmt.Sprintf("listing the credentials of authenticator %s", a.id),
		webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: a.id})
	return res.Credentials
}

// AddCredential stores cred in the authenticator, as if the device had created
// it earlier. Its RpID, PrivateKey (PKCS#8 P-256) and CredentialID must be
// set. Copying a credential from one authenticator to another simulates a
// passkey synced to a second device.
func (a *Authenticator) AddCredential(t testing.TB, cred *webauthn.Credential) {
	t.Helper()
	call(t, a.tab, fmt.Sprintf("adding credential %s for %s to authenticator %s", CredentialID(cred), cred.RpID, a.id),
		addCredential, addCredentialParams{AuthenticatorID: a.id, Credential: newCredentialToAdd(cred)})
}

// addCredential is WebAuthn.addCredential with parameters of our own. cdproto's
// webauthn.Credential always sends generateCmtgKeyOnNextOperation (a bool
// without omitempty), and Chromium rejects any credential that carries the
// field, even as false, for an authenticator without the cmtgKey extension:
// "CMTG is not supported by this authenticator". So the field is sent only when
// it is true.
var addCredential = cdp.Command[addCredentialParams, cdp.Empty]{Method: webauthn.CommandAddCredential}

// addCredentialParams are the parameters of addCredential.
type addCredentialParams struct {
	AuthenticatorID webauthn.AuthenticatorID `json:"authenticatorId"`
	Credential      *credentialToAdd         `json:"credential"`
}

// credentialToAdd is webauthn.Credential as Chromium accepts it in
// WebAuthn.addCredential; see addCredential.
type credentialToAdd struct {
	CredentialID                   []byte   `json:"credentialId"`
	IsResidentCredential           bool     `json:"isResidentCredential"`
	RpID                           string   `json:"rpId,omitempty,omitzero"`
	PrivateKey                     []byte   `json:"privateKey"`
	UserHandle                     []byte   `json:"userHandle,omitempty,omitzero"`
	SignCount                      float64  `json:"signCount"`
	LargeBlob                      []byte   `json:"largeBlob,omitempty,omitzero"`
	BackupEligibility              bool     `json:"backupEligibility"`
	BackupState                    bool     `json:"backupState"`
	UserName                       string   `json:"userName,omitempty,omitzero"`
	UserDisplayName                string   `json:"userDisplayName,omitempty,omitzero"`
	CmtgKeys                       [][]byte `json:"cmtgKeys,omitempty,omitzero"`
	ActiveCmtgKeyIndex             *int64   `json:"activeCmtgKeyIndex,omitempty,omitzero"`
	GenerateCmtgKeyOnNextOperation *bool    `json:"generateCmtgKeyOnNextOperation,omitempty,omitzero"`
}

// newCredentialToAdd copies c into the form that addCredential sends.
func newCredentialToAdd(c *webauthn.Credential) *credentialToAdd {
	out := &credentialToAdd{
		CredentialID:         c.CredentialID,
		IsResidentCredential: c.IsResidentCredential,
		RpID:                 c.RpID,
		PrivateKey:           c.PrivateKey,
		UserHandle:           c.UserHandle,
		SignCount:            c.SignCount,
		LargeBlob:            c.LargeBlob,
		BackupEligibility:    c.BackupEligibility,
		BackupState:          c.BackupState,
		UserName:             c.UserName,
		UserDisplayName:      c.UserDisplayName,
		CmtgKeys:             c.CmtgKeys,
		ActiveCmtgKeyIndex:   c.ActiveCmtgKeyIndex,
	}
	if c.GenerateCmtgKeyOnNextOperation {
		out.GenerateCmtgKeyOnNextOperation = new(true)
	}
	return out
}

// RemoveAll deletes every credential of the authenticator, as when a person
// wipes their passkeys; the device itself stays.
func (a *Authenticator) RemoveAll(t testing.TB) {
	t.Helper()
	call(t, a.tab, fmt.Sprintf("clearing the credentials of authenticator %s", a.id),
		webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: a.id})
}

// SetUserVerified makes later user verifications succeed (true) or fail
// (false), as a biometric check that passes or not.
func (a *Authenticator) SetUserVerified(t testing.TB, verified bool) {
	t.Helper()
	call(t, a.tab, fmt.Sprintf("setting user verification of authenticator %s to %t", a.id, verified),
		webauthn.SetUserVerified, webauthn.SetUserVerifiedParams{AuthenticatorID: a.id, IsUserVerified: verified})
}

// Remove detaches the authenticator from the tab, with its credentials, to
// simulate a device without passkeys. The authenticator must not be used
// afterwards.
func (a *Authenticator) Remove(t testing.TB) {
	t.Helper()
	call(t, a.tab, fmt.Sprintf("removing authenticator %s", a.id),
		webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: a.id})
}

// CredentialID returns the ID of cred in base64url without padding, the form
// of PublicKeyCredential.id in the page and of credential IDs in WebAuthn
// server libraries, so tests can compare the two.
func CredentialID(cred *webauthn.Credential) string {
	return base64.RawURLEncoding.EncodeToString(cred.CredentialID)
}

// call sends one protocol command to the tab's target with the tab's timeout
// and fails the test with what on error.
func call[P, R any](t testing.TB, tab *Tab, what string, cmd cdp.Command[P, R], params P) R {
	t.Helper()
	return run(t, tab, what, func(ctx context.Context, target *chromedp.Target) (R, error) {
		return cdp.Call(ctx, target, cmd, params)
	})
}
