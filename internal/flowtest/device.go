package flowtest

import (
	"encoding/json"
	"testing"

	vw "github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/softkey"
)

// Device is a software passkey device: a virtual authenticator holding one
// P-256 passkey, backup eligible and backed up (as a synced passkey is). It
// answers the creation and request options a flow's passkey steps hand out,
// as navigator.credentials does in a browser.
type Device struct {
	Auth vw.Authenticator
	Cred vw.Credential
}

// NewDevice returns a device whose passkey belongs to the WebAuthn user
// handle; nil takes the handle of the first creation options it answers.
func NewDevice(handle []byte) *Device {
	d := &Device{
		Auth: vw.NewAuthenticatorWithOptions(vw.AuthenticatorOptions{UserHandle: handle, BackupEligible: true, BackupState: true}),
		Cred: softkey.NewEC2(),
	}
	d.Auth.AddCredential(d.Cred)
	return d
}

// Create answers the creation options publicKey (their JSON) for rp with
// the device's passkey and returns the attestation response.
func (d *Device) Create(t testing.TB, rp vw.RelyingParty, publicKey []byte) string {
	t.Helper()
	opts, err := vw.ParseAttestationOptions(string(publicKey))
	require.NoError(t, err)
	if d.Auth.Options.UserHandle == nil {
		d.Auth.Options.UserHandle = []byte(opts.UserID)
	}
	return vw.CreateAttestationResponse(rp, d.Auth, d.Cred, *opts)
}

// Get answers the request options publicKey (their JSON) for rp with the
// device's passkey and returns the assertion response.
func (d *Device) Get(t testing.TB, rp vw.RelyingParty, publicKey []byte) string {
	t.Helper()
	opts, err := vw.ParseAssertionOptions(string(publicKey))
	require.NoError(t, err)
	return vw.CreateAssertionResponse(rp, d.Auth, d.Cred, *opts)
}

// Credential is the input of a flow's passkey finishing action carrying
// response: {"credential": response}.
func Credential(t testing.TB, response string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]json.RawMessage{"credential": json.RawMessage(response)})
	require.NoError(t, err)
	return b
}
