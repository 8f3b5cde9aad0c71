package provider

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
)

// KeyOverlap is how long a retired signing key stays in the JWKS: longer
// than any ID token lives (apps.MaxTokenTTL), so a token signed just before
// a rotation still verifies.
const KeyOverlap = 25 * time.Hour

// keyRefresh is how often a process re-reads a tenant's key list, so that a
// rotation made by another process is seen; parsed keys are kept by id, so
// a refresh parses only new keys.
const keyRefresh = time.Minute

// Algorithms Sesame signs with, RS256 (the default) first.
var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

// KeyRing makes, seals, caches and rotates each tenant's signing keys. A
// private key is generated on first need, sealed with AES-256-GCM under the
// key-encryption key (the tenant, algorithm and key id are the additional
// data, so a sealed key copied to another row does not open), parsed once
// per process and kept in memory: no request parses a key.
type KeyRing struct {
	db    *db.DB
	aead  cipher.AEAD
	clock clock.Clock

	mu      sync.Mutex
	parsed  map[uuid.UUID]*signingKey
	tenants map[uuid.UUID]*tenantKeys
}

// tenantKeys is what a process knows of one tenant's keys.
type tenantKeys struct {
	loadedAt  time.Time
	current   map[jose.SignatureAlgorithm]*signingKey
	published []*signingKey
}

// signingKey is one parsed key; it is both op.SigningKey and op.Key.
type signingKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private crypto.Signer
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Algorithm() jose.SignatureAlgorithm          { return k.alg }
func (k *signingKey) Key() any                                    { return k.private }
func (k *signingKey) ID() string                                  { return k.id }
func (k *signingKey) Use() string                                 { return "sig" }

// publicKey is the op.Key published in the JWKS.
type publicKey struct{ *signingKey }

func (k publicKey) Key() any { return k.private.Public() }

// NewKeyRing returns a key ring sealing under kek (32 bytes).
func NewKeyRing(d *db.DB, kek []byte, c clock.Clock) (*KeyRing, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("key-encryption key: want 32 bytes, got %d", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &KeyRing{db: d, aead: aead, clock: c, parsed: map[uuid.UUID]*signingKey{}, tenants: map[uuid.UUID]*tenantKeys{}}, nil
}

// Signing returns the tenant's current key of alg, making it on first need.
func (kr *KeyRing) Signing(ctx context.Context, tenant uuid.UUID, alg jose.SignatureAlgorithm) (*signingKey, error) {
	tk, err := kr.load(ctx, tenant, false)
	if err != nil {
		return nil, err
	}
	if k := tk.current[alg]; k != nil {
		return k, nil
	}
	if err := kr.create(ctx, tenant, alg); err != nil && !errors.Is(err, db.ErrDuplicate) {
		return nil, err
	}
	if tk, err = kr.load(ctx, tenant, true); err != nil {
		return nil, err
	}
	if k := tk.current[alg]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("no %s signing key for tenant %s", alg, tenant)
}

// Published returns the keys of the tenant's JWKS (current and recently
// retired), making the current ones on first need.
func (kr *KeyRing) Published(ctx context.Context, tenant uuid.UUID) ([]op.Key, error) {
	for _, alg := range algorithms {
		if _, err := kr.Signing(ctx, tenant, alg); err != nil {
			return nil, err
		}
	}
	tk, err := kr.load(ctx, tenant, false)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(tk.published))
	for _, k := range tk.published {
		out = append(out, publicKey{k})
	}
	return out, nil
}

// Rotate retires the tenant's current key of alg and makes a new one; the
// old one stays published for KeyOverlap.
func (kr *KeyRing) Rotate(ctx context.Context, tenant uuid.UUID, alg jose.SignatureAlgorithm) error {
	err := kr.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.ForTenant(tenant).OIDCKeys().Retire(ctx, string(alg), kr.clock.Now()); err != nil {
			return err
		}
		return kr.insert(ctx, tx.ForTenant(tenant), alg)
	})
	if err != nil {
		return err
	}
	_, err = kr.load(ctx, tenant, true)
	return err
}

// load returns the tenant's keys, re-read when older than keyRefresh or
// when force is set.
func (kr *KeyRing) load(ctx context.Context, tenant uuid.UUID, force bool) (*tenantKeys, error) {
	now := kr.clock.Now()
	kr.mu.Lock()
	tk := kr.tenants[tenant]
	kr.mu.Unlock()
	if tk != nil && !force && now.Sub(tk.loadedAt) < keyRefresh {
		return tk, nil
	}
	rows, err := kr.db.ForTenant(tenant).OIDCKeys().Published(ctx, now.Add(-KeyOverlap))
	if err != nil {
		return nil, err
	}
	tk = &tenantKeys{loadedAt: now, current: map[jose.SignatureAlgorithm]*signingKey{}}
	for _, row := range rows {
		k, err := kr.open(tenant, row)
		if err != nil {
			return nil, err
		}
		tk.published = append(tk.published, k)
		if row.RetiredAt == nil {
			tk.current[k.alg] = k
		}
	}
	kr.mu.Lock()
	kr.tenants[tenant] = tk
	kr.mu.Unlock()
	return tk, nil
}

// open returns the parsed key of row, parsing it only the first time.
func (kr *KeyRing) open(tenant uuid.UUID, row *db.OIDCSigningKey) (*signingKey, error) {
	kr.mu.Lock()
	k := kr.parsed[row.ID]
	kr.mu.Unlock()
	if k != nil {
		return k, nil
	}
	ns := kr.aead.NonceSize()
	if len(row.SealedKey) < ns {
		return nil, fmt.Errorf("signing key %s: sealed key too short", row.ID)
	}
	der, err := kr.aead.Open(nil, row.SealedKey[:ns], row.SealedKey[ns:], additionalData(tenant, row.Alg, row.ID))
	if err != nil {
		return nil, fmt.Errorf("signing key %s does not open under the configured key-encryption key: %w", row.ID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing key %s: %T cannot sign", row.ID, priv)
	}
	k = &signingKey{id: row.ID.String(), alg: jose.SignatureAlgorithm(row.Alg), private: signer}
	kr.mu.Lock()
	kr.parsed[row.ID] = k
	kr.mu.Unlock()
	return k, nil
}

func (kr *KeyRing) create(ctx context.Context, tenant uuid.UUID, alg jose.SignatureAlgorithm) error {
	return kr.insert(ctx, kr.db.ForTenant(tenant), alg)
}

// insert generates a key of alg and stores it sealed.
func (kr *KeyRing) insert(ctx context.Context, scope db.Scope, alg jose.SignatureAlgorithm) error {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return fmt.Errorf("signing algorithm %s is not supported", alg)
	}
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	row := &db.OIDCSigningKey{ID: uuid.Must(uuid.NewV7()), Alg: string(alg), CreatedAt: kr.clock.Now().UTC()}
	nonce := make([]byte, kr.aead.NonceSize())
	_, _ = rand.Read(nonce)
	row.SealedKey = kr.aead.Seal(nonce, nonce, der, additionalData(scope.TenantID(), row.Alg, row.ID))
	return scope.OIDCKeys().Create(ctx, row)
}

func additionalData(tenant uuid.UUID, alg string, id uuid.UUID) []byte {
	return []byte(tenant.String() + "|" + alg + "|" + id.String())
}
