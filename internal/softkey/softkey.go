// Package softkey makes software passkey credentials for tests that drive
// WebAuthn ceremonies without a browser (through descope/virtualwebauthn).
package softkey

import (
	"fmt"

	"github.com/descope/virtualwebauthn"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// NewEC2 returns a P-256 credential whose COSE key is well formed.
// virtualwebauthn encodes the coordinates with big.Int.Bytes, which drops
// leading zero bytes (about one key in 64), and go-webauthn rightly refuses
// a coordinate shorter than 32 bytes; such keys are drawn again.
func NewEC2() virtualwebauthn.Credential {
	for {
		c := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)
		var k map[int64]any
		if err := webauthncbor.Unmarshal(c.Key.AttestationData(), &k); err != nil {
			panic(fmt.Sprintf("softkey: decode the key virtualwebauthn made: %v", err))
		}
		x, _ := k[-2].([]byte)
		y, _ := k[-3].([]byte)
		if len(x) == 32 && len(y) == 32 {
			return c
		}
	}
}
