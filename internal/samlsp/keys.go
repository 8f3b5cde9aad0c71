package samlsp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// KeyPair is a connector's SP key and self-signed certificate in PEM, as
// stored: KeyPEM (PKCS #8, "PRIVATE KEY") is a secret, to be sealed by the
// caller as the other providers' secrets are; CertificatePEM is public (it
// is in the SP metadata).
type KeyPair struct {
	KeyPEM         []byte
	CertificatePEM []byte
}

// certValidity is how long a generated SP certificate is valid. IdPs use
// it as a container for the public key; a connector rotates its pair by
// generating another.
const certValidity = 10 * 365 * 24 * time.Hour

// GenerateKeyPair makes a connector's SP key pair: RSA 2048 (the key IdPs
// accept most widely for signed AuthnRequests, and the only kind that can
// decrypt encrypted assertions) with a self-signed certificate whose
// subject is commonName (the SP's entity ID, say), valid from now.
func GenerateKeyPair(commonName string, now time.Time) (KeyPair, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return KeyPair{}, fmt.Errorf("samlsp: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return KeyPair{}, fmt.Errorf("samlsp: serial: %w", err)
	}
	if len(commonName) > 64 { // the X.509 upper bound of a common name
		commonName = commonName[:64]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return KeyPair{}, fmt.Errorf("samlsp: self-sign: %w", err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return KeyPair{}, fmt.Errorf("samlsp: marshal key: %w", err)
	}
	return KeyPair{
		KeyPEM:         pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}),
		CertificatePEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// Parse returns the pair's key and certificate for Config, checking that
// they belong together. RSA and ECDSA keys are accepted.
func (p KeyPair) Parse() (crypto.Signer, *x509.Certificate, error) {
	kb, _ := pem.Decode(p.KeyPEM)
	cb, _ := pem.Decode(p.CertificatePEM)
	if kb == nil || kb.Type != "PRIVATE KEY" || cb == nil || cb.Type != "CERTIFICATE" {
		return nil, nil, errors.New("samlsp: key pair: not a PEM private key and certificate")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("samlsp: key pair: %w", err)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("samlsp: key pair: %w", err)
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, nil, errors.New("samlsp: key pair: the key cannot sign")
	}
	if _, err := signatureMethod(key, cert); err != nil {
		return nil, nil, fmt.Errorf("samlsp: key pair: %w", err)
	}
	return key, cert, nil
}
