package federation

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// errRelayState is a relay state that does not open: no flow of ours.
var errRelayState = errors.New("saml relay state does not open")

// SealRelayState is the relay state a saml AuthnRequest carries for the
// flow whose token is token: the token sealed with AES-256-GCM under a
// key derived from kek (HKDF-SHA256), the tenant and connector ids as
// additional data. The IdP, and whoever reads its logs, sees an opaque
// value that opens only at this connector's ACS, never the token the
// flow API takes. 80 characters, the binding's limit.
func SealRelayState(kek []byte, tenant, connector uuid.UUID, token string) (string, error) {
	return sealToken(kek, "sesame saml relay state", tenant, connector, token)
}

// OpenRelayState returns the flow token SealRelayState sealed for this
// tenant and connector.
func OpenRelayState(kek []byte, tenant, connector uuid.UUID, relay string) (string, error) {
	return openToken(kek, "sesame saml relay state", tenant, connector, relay)
}

// sealToken seals a flow token for purpose, tenant and connector.
func sealToken(kek []byte, purpose string, tenant, connector uuid.UUID, token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", fmt.Errorf("relay state: flow token: %w", err)
	}
	aead, err := relayAEAD(kek)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, raw, relayAD(purpose, tenant, connector))), nil
}

// openToken opens what sealToken sealed for the same purpose, tenant and
// connector.
func openToken(kek []byte, purpose string, tenant, connector uuid.UUID, relay string) (string, error) {
	aead, err := relayAEAD(kek)
	if err != nil {
		return "", err
	}
	raw, err := base64.RawURLEncoding.DecodeString(relay)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errRelayState
	}
	ns := aead.NonceSize()
	out, err := aead.Open(nil, raw[:ns], raw[ns:], relayAD(purpose, tenant, connector))
	if err != nil {
		return "", errRelayState
	}
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func relayAEAD(kek []byte) (cipher.AEAD, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("key-encryption key: want 32 bytes, got %d", len(kek))
	}
	key, err := hkdf.Key(sha256.New, kek, nil, "sesame saml relay state", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func relayAD(purpose string, tenant, connector uuid.UUID) []byte {
	return []byte(purpose + "|" + tenant.String() + "|" + connector.String())
}
