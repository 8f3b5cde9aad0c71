package apps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-id/sesame/db"
)

// SecretOverlap is how long the previous secret keeps working after a
// rotation, so that an application can be redeployed with the new one
// without an outage.
const SecretOverlap = 24 * time.Hour

// secretPrefix marks Sesame client secrets, so that secret scanners and
// people can tell them apart.
const secretPrefix = "sesame_secret_"

// Created is a new application with its secret, which exists only here
// and in the hands of whoever created it (empty for public and m2m-less
// types).
type Created struct {
	App    *db.OIDCApp
	Secret string
}

// Create checks spec, then stores the application with a random client id
// and, for the types that have one, a random secret (only its hash).
func Create(ctx context.Context, scope db.Scope, spec Spec, now time.Time) (*Created, error) {
	if err := spec.Normalize(); err != nil {
		return nil, err
	}
	a := &db.OIDCApp{
		ClientID:               newClientID(),
		Name:                   spec.Name,
		Type:                   spec.Type,
		RedirectURIs:           db.StringList(spec.RedirectURIs),
		PostLogoutRedirectURIs: db.StringList(spec.PostLogoutRedirectURIs),
		Scopes:                 db.StringList(spec.Scopes),
		AccessTokenTTLSeconds:  int(spec.AccessTokenTTL / time.Second),
		IDTokenTTLSeconds:      int(spec.IDTokenTTL / time.Second),
		IDTokenAlg:             spec.IDTokenAlg,
		FirstParty:             spec.FirstParty,
		CreatedAt:              now.UTC(),

		BackchannelLogoutURI:             spec.BackchannelLogoutURI,
		BackchannelLogoutSessionRequired: spec.BackchannelLogoutSessionRequired,
	}
	out := &Created{App: a}
	if HasSecret(spec.Type) {
		out.Secret = newSecret()
		a.SecretHash = HashSecret(out.Secret)
	}
	if err := scope.OIDCApps().Create(ctx, a); err != nil {
		return nil, err
	}
	return out, nil
}

// RotateSecret gives the application a new secret and returns it; the
// previous one keeps working for SecretOverlap. An application without a
// secret (spa, native) returns db.ErrNotFound.
func RotateSecret(ctx context.Context, scope db.Scope, clientID string, now time.Time) (string, error) {
	secret := newSecret()
	if err := scope.OIDCApps().RotateSecret(ctx, clientID, HashSecret(secret), now.Add(SecretOverlap), now); err != nil {
		return "", err
	}
	return secret, nil
}

// ErrWrongSecret is returned by CheckSecret for a secret that is not the
// application's.
var ErrWrongSecret = errors.New("wrong client secret")

// CheckSecret reports whether secret is the application's current secret,
// or its previous one during the overlap. Both comparisons run, in
// constant time, whatever the first says.
func CheckSecret(a *db.OIDCApp, secret string, now time.Time) error {
	if len(a.SecretHash) == 0 || secret == "" {
		return ErrWrongSecret
	}
	h := HashSecret(secret)
	current := subtle.ConstantTimeCompare(h, a.SecretHash)
	previous := 0
	if len(a.PreviousSecretHash) > 0 && a.PreviousSecretExpiresAt != nil && now.Before(*a.PreviousSecretExpiresAt) {
		previous = subtle.ConstantTimeCompare(h, a.PreviousSecretHash)
	}
	if current|previous == 1 {
		return nil
	}
	return ErrWrongSecret
}

// HashSecret returns the SHA-256 of a secret, as stored. A secret is 256
// random bits, so a fast hash is enough: there is nothing to guess.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("apps: no randomness: %v", err))
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// newClientID is 128 random bits in hex: public, unguessable, and safe in
// any URL.
func newClientID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("apps: no randomness: %v", err))
	}
	return hex.EncodeToString(b[:])
}
