package passkey_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"sync"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/tenants"
)

// baseDomain puts tenant acme-… at http://acme-….localhost:8080 with RP ID
// acme-….localhost.
const baseDomain = "localhost:8080"

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP byte = 1 << 0
	flagUV byte = 1 << 2
	flagBE byte = 1 << 3
	flagBS byte = 1 << 4
	flagAT byte = 1 << 6
	flagED byte = 1 << 7
)

// COSE algorithms used by the tests.
const (
	algES256 int64 = -7
	algRS256 int64 = -257
	algRS1   int64 = -65535 // RSASSA-PKCS1-v1_5 with SHA-1: never offered
)

// fixture is one database with the services a passkey ceremony needs, on a
// fake clock.
type fixture struct {
	ctx   context.Context
	db    *db.DB
	ts    *tenants.Service
	clock *clock.Fake
	svc   *passkey.Service
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ts := tenants.NewService(d, baseDomain)
	clk := clock.NewFake(time.Now())
	return &fixture{ctx: context.Background(), db: d, ts: ts, clock: clk, svc: passkey.NewService(ts, clk, nil)}
}

// tenant creates a tenant whose slug is prefix plus a random suffix and,
// when edit is given, saves its passkey settings as edit leaves them.
func (f *fixture) tenant(t testing.TB, prefix string, edit func(p *tenants.Passkeys)) *tenants.Tenant {
	t.Helper()
	tn, err := f.ts.Create(f.ctx, prefix+"-"+hex.EncodeToString(randomBytes(t, 4)), prefix)
	require.NoError(t, err)
	if edit != nil {
		tn = f.update(t, tn, edit)
	}
	return tn
}

// update saves tn's passkey settings as edit leaves them, forcing an RP ID
// change, and returns the tenant as saved.
func (f *fixture) update(t testing.TB, tn *tenants.Tenant, edit func(p *tenants.Passkeys)) *tenants.Tenant {
	t.Helper()
	next := tn.Settings
	edit(&next.Passkeys)
	tn, err := f.ts.UpdateSettings(f.ctx, tn, next, true)
	require.NoError(t, err)
	return tn
}

// misconfigure saves tn's passkey settings as edit leaves them straight to
// the database, past the checks of tenants.Service.UpdateSettings (which
// refuse another tenant's RP ID or origin): the ceremonies must stay
// tenant-scoped even then.
func (f *fixture) misconfigure(t testing.TB, tn *tenants.Tenant, edit func(p *tenants.Passkeys)) *tenants.Tenant {
	t.Helper()
	next := tn.Settings
	edit(&next.Passkeys)
	doc, err := next.Encode()
	require.NoError(t, err)
	_, err = f.db.ForTenant(tn.ID).UpdateSettings(f.ctx, tn.SettingsVersion, doc)
	require.NoError(t, err)
	tn, err = f.ts.BySlug(f.ctx, tn.Slug)
	require.NoError(t, err)
	return tn
}

func (f *fixture) rpID(tn *tenants.Tenant) string   { return f.svc.RelyingParty(tn).ID }
func (f *fixture) origin(tn *tenants.Tenant) string { return f.svc.RelyingParty(tn).Origins[0] }

// user creates a user of tn with a random 32-byte WebAuthn handle and the
// email identifier name@example.com.
func (f *fixture) user(t testing.TB, tn *tenants.Tenant, name string) *db.User {
	t.Helper()
	u := &db.User{WebAuthnHandle: randomBytes(t, 32), DisplayName: name + "@example.com"}
	ident := &db.Identifier{Kind: db.IdentifierEmail, Value: name + "@example.com"}
	require.NoError(t, f.db.ForTenant(tn.ID).Users().Create(f.ctx, u, ident))
	return u
}

func registrant(u *db.User) passkey.Registrant {
	return passkey.Registrant{Handle: u.WebAuthnHandle, Name: u.DisplayName}
}

// device is a virtual authenticator holding one credential.
type device struct {
	cred vw.Credential
	// handle is the user handle stored with the credential, returned in
	// assertions.
	handle     []byte
	aaguid     []byte
	flags      byte
	attachment string
	transports []string
}

// newDevice returns a platform authenticator with an ES256 credential that
// verifies the user and is backed up (a synced passkey).
func newDevice(t testing.TB) *device {
	return &device{
		cred:       softkey.NewEC2(),
		aaguid:     randomBytes(t, 16),
		flags:      flagUP | flagUV | flagBE | flagBS,
		attachment: "platform",
		transports: []string{"internal", "hybrid"},
	}
}

// roundTrip stores and reads back c as a flow does.
func roundTrip(t testing.TB, c *passkey.Ceremony) *passkey.Ceremony {
	t.Helper()
	enc, err := c.Encode()
	require.NoError(t, err)
	out, err := passkey.DecodeCeremony(enc)
	require.NoError(t, err)
	return out
}

// beginRegistration starts a registration ceremony for u.
func (f *fixture) beginRegistration(t testing.TB, tn *tenants.Tenant, u *db.User) (*passkey.Options, *passkey.Ceremony) {
	t.Helper()
	opts, c, err := f.svc.BeginRegistration(tn, registrant(u))
	require.NoError(t, err)
	return opts, roundTrip(t, c)
}

// register runs a whole registration of dev for u (begin, attestation,
// finish) and stores the credential; it returns the stored row.
func (f *fixture) register(t testing.TB, tn *tenants.Tenant, u *db.User, dev *device) *db.Credential {
	t.Helper()
	opts, c := f.beginRegistration(t, tn, u)
	cred, err := f.svc.FinishRegistration(f.ctx, tn, c, registrant(u), f.attestation(t, tn, opts, dev).json(t), "", "")
	require.NoError(t, err)
	cred.UserID = u.ID
	require.NoError(t, f.db.ForTenant(tn.ID).Credentials().Create(f.ctx, cred))
	dev.handle = u.WebAuthnHandle
	return f.row(t, tn, cred)
}

// row reads a stored credential back.
func (f *fixture) row(t testing.TB, tn *tenants.Tenant, c *db.Credential) *db.Credential {
	t.Helper()
	got, err := f.db.ForTenant(tn.ID).Credentials().Get(f.ctx, c.UserID, c.ID)
	require.NoError(t, err)
	return got
}

// requireUnchanged checks that the stored credential is still exactly
// before.
func (f *fixture) requireUnchanged(t testing.TB, tn *tenants.Tenant, before *db.Credential) {
	t.Helper()
	require.Equal(t, before, f.row(t, tn, before), "the credential row changed")
}

// requireNoCredentials checks that u has no stored credential.
func (f *fixture) requireNoCredentials(t testing.TB, tn *tenants.Tenant, u *db.User) {
	t.Helper()
	creds, err := f.db.ForTenant(tn.ID).Credentials().ByUser(f.ctx, u.ID, "")
	require.NoError(t, err)
	require.Empty(t, creds)
}

// beginSignIn starts a sign-in ceremony: discoverable when u is nil, else
// listing u's credentials under the tenant's RP ID.
func (f *fixture) beginSignIn(t testing.TB, tn *tenants.Tenant, u *db.User) (*passkey.Options, *passkey.Ceremony) {
	t.Helper()
	var creds []*db.Credential
	if u != nil {
		var err error
		creds, err = f.db.ForTenant(tn.ID).Credentials().ByUser(f.ctx, u.ID, f.rpID(tn))
		require.NoError(t, err)
	}
	opts, c, err := f.svc.BeginSignIn(tn, u, creds, "")
	require.NoError(t, err)
	return opts, roundTrip(t, c)
}

// verify checks an assertion with a fresh scope of tn.
func (f *fixture) verify(tn *tenants.Tenant, c *passkey.Ceremony, response []byte) (*db.Credential, error) {
	return f.svc.VerifySignIn(f.ctx, tn, f.db.ForTenant(tn.ID), c, response)
}

// signIn runs a whole discoverable sign-in with dev and records it, as the
// sign-in flow does; it returns the stored row.
func (f *fixture) signIn(t testing.TB, tn *tenants.Tenant, dev *device) *db.Credential {
	t.Helper()
	opts, c := f.beginSignIn(t, tn, nil)
	got, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
	require.NoError(t, err)
	require.NoError(t, f.db.ForTenant(tn.ID).Credentials().RecordSignIn(f.ctx, got))
	return f.row(t, tn, got)
}

// clientData is a CollectedClientData; nil fields are left out.
type clientData struct {
	Type        string  `json:"type"`
	Challenge   string  `json:"challenge"`
	Origin      string  `json:"origin"`
	CrossOrigin *bool   `json:"crossOrigin,omitempty"`
	TopOrigin   *string `json:"topOrigin,omitempty"`
}

// attestation is a registration response under construction: every field
// is what an authenticator and browser would send, and a test changes one
// before encoding it. The attestation statement is packed self
// attestation signed with Key, or none.
type attestation struct {
	ClientData clientData
	// RawClientData, when set, is sent as clientDataJSON instead.
	RawClientData []byte
	RPID          string
	// RPIDHash, when set, replaces SHA-256(RPID).
	RPIDHash   []byte
	Flags      byte
	Counter    uint32
	AAGUID     []byte
	CredID     []byte
	PublicKey  []byte // COSE_Key
	Key        *vw.Key
	Alg        int64
	Format     string // "packed" or "none"
	Attachment string
	Transports []string
	// Trailing is appended to the authenticator data (then signed).
	Trailing []byte
	// AttestationKey and AttestationCert, when set, make the packed
	// statement a full attestation (x5c) instead of self attestation.
	AttestationKey  *ecdsa.PrivateKey
	AttestationCert []byte
}

// newAttestationCert returns a key and a self-made certificate that meet
// the packed attestation certificate requirements (WebAuthn §8.2.1): an
// authenticator maker's attestation, as a real security key carries.
func newAttestationCert(t testing.TB) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject: pkix.Name{
			Country: []string{"US"}, Organization: []string{"Sesame Test Authenticators"},
			OrganizationalUnit: []string{"Authenticator Attestation"}, CommonName: "Sesame Test Key",
		},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  false,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return key, der
}

// attestation answers registration options with dev, as a browser would.
func (f *fixture) attestation(t testing.TB, tn *tenants.Tenant, opts *passkey.Options, dev *device) *attestation {
	t.Helper()
	o, err := vw.ParseAttestationOptions(string(opts.PublicKey))
	require.NoError(t, err)
	alg := algES256
	if dev.cred.Key.Type == vw.KeyTypeRSA {
		alg = algRS256
	}
	return &attestation{
		ClientData: clientData{Type: "webauthn.create", Challenge: b64(o.Challenge), Origin: f.origin(tn)},
		RPID:       o.RelyingPartyID,
		Flags:      dev.flags | flagAT,
		Counter:    dev.cred.Counter,
		AAGUID:     dev.aaguid,
		CredID:     dev.cred.ID,
		PublicKey:  coseKey(dev.cred.Key),
		Key:        dev.cred.Key,
		Alg:        alg,
		Format:     "packed",
		Attachment: dev.attachment,
		Transports: dev.transports,
	}
}

func (a *attestation) clientDataJSON(t testing.TB) []byte {
	if a.RawClientData != nil {
		return a.RawClientData
	}
	b, err := json.Marshal(a.ClientData)
	require.NoError(t, err)
	return b
}

func (a *attestation) authData() []byte {
	var ad []byte
	ad = append(ad, rpIDHash(a.RPID, a.RPIDHash)...)
	ad = append(ad, a.Flags)
	ad = binary.BigEndian.AppendUint32(ad, a.Counter)
	ad = append(ad, a.AAGUID...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(a.CredID)))
	ad = append(ad, a.CredID...)
	ad = append(ad, a.PublicKey...)
	return append(ad, a.Trailing...)
}

// object returns the CBOR attestation object.
func (a *attestation) object(t testing.TB) []byte {
	t.Helper()
	authData := a.authData()
	stmt := map[string]any{}
	if a.Format == "packed" && a.AttestationKey != nil {
		cdh := sha256.Sum256(a.clientDataJSON(t))
		digest := sha256.Sum256(append(append([]byte{}, authData...), cdh[:]...))
		sig, err := ecdsa.SignASN1(rand.Reader, a.AttestationKey, digest[:])
		require.NoError(t, err)
		stmt = map[string]any{"alg": algES256, "sig": sig, "x5c": []any{a.AttestationCert}}
	} else if a.Format == "packed" {
		stmt = map[string]any{"alg": a.Alg, "sig": sign(t, a.Key, authData, a.clientDataJSON(t))}
	}
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": a.Format, "attStmt": stmt, "authData": authData})
	require.NoError(t, err)
	return obj
}

// json returns the RegistrationResponseJSON.
func (a *attestation) json(t testing.TB) []byte {
	t.Helper()
	return a.jsonWith(t, b64(a.object(t)), b64(a.clientDataJSON(t)))
}

// jsonWith returns the RegistrationResponseJSON with the given encoded
// attestationObject and clientDataJSON.
func (a *attestation) jsonWith(t testing.TB, attestationObject, clientDataJSON string) []byte {
	t.Helper()
	resp := map[string]any{"attestationObject": attestationObject, "clientDataJSON": clientDataJSON}
	if a.Transports != nil {
		resp["transports"] = a.Transports
	}
	body := map[string]any{"id": b64(a.CredID), "rawId": b64(a.CredID), "type": "public-key", "response": resp, "clientExtensionResults": map[string]any{}}
	if a.Attachment != "" {
		body["authenticatorAttachment"] = a.Attachment
	}
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}

// assertion is a sign-in response under construction, like attestation.
type assertion struct {
	ClientData    clientData
	RawClientData []byte
	RPID          string
	RPIDHash      []byte
	Flags         byte
	Counter       uint32
	CredID        []byte
	// UserHandle is left out when nil.
	UserHandle []byte
	Key        *vw.Key
	Attachment string
	Trailing   []byte
	// SignedClientData and SignedAuthData, when set, are what the
	// signature covers instead of what is sent.
	SignedClientData []byte
	SignedAuthData   []byte
	// Signature, when set, is sent instead of a signature by Key.
	Signature []byte
}

// assertion answers request options with dev, as a browser would.
func (f *fixture) assertion(t testing.TB, tn *tenants.Tenant, opts *passkey.Options, dev *device) *assertion {
	t.Helper()
	o, err := vw.ParseAssertionOptions(string(opts.PublicKey))
	require.NoError(t, err)
	return &assertion{
		ClientData: clientData{Type: "webauthn.get", Challenge: b64(o.Challenge), Origin: f.origin(tn)},
		RPID:       o.RelyingPartyID,
		Flags:      dev.flags,
		Counter:    dev.cred.Counter,
		CredID:     dev.cred.ID,
		UserHandle: dev.handle,
		Key:        dev.cred.Key,
		Attachment: dev.attachment,
	}
}

func (a *assertion) clientDataJSON(t testing.TB) []byte {
	if a.RawClientData != nil {
		return a.RawClientData
	}
	b, err := json.Marshal(a.ClientData)
	require.NoError(t, err)
	return b
}

func (a *assertion) authData() []byte {
	var ad []byte
	ad = append(ad, rpIDHash(a.RPID, a.RPIDHash)...)
	ad = append(ad, a.Flags)
	ad = binary.BigEndian.AppendUint32(ad, a.Counter)
	return append(ad, a.Trailing...)
}

// json returns the AuthenticationResponseJSON.
func (a *assertion) json(t testing.TB) []byte {
	t.Helper()
	cdj := a.clientDataJSON(t)
	authData := a.authData()
	sig := a.Signature
	if sig == nil {
		signedCD, signedAD := cdj, authData
		if a.SignedClientData != nil {
			signedCD = a.SignedClientData
		}
		if a.SignedAuthData != nil {
			signedAD = a.SignedAuthData
		}
		sig = sign(t, a.Key, signedAD, signedCD)
	}
	resp := map[string]any{"clientDataJSON": b64(cdj), "authenticatorData": b64(authData), "signature": b64(sig)}
	if a.UserHandle != nil {
		resp["userHandle"] = b64(a.UserHandle)
	}
	body := map[string]any{"id": b64(a.CredID), "rawId": b64(a.CredID), "type": "public-key", "response": resp, "clientExtensionResults": map[string]any{}}
	if a.Attachment != "" {
		body["authenticatorAttachment"] = a.Attachment
	}
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}

// keyMu serializes the use of virtualwebauthn keys: every Sign and
// AttestationData call rebuilds the key's signer in place, so parallel
// tests sharing a device would race.
var keyMu sync.Mutex

// sign signs authData ‖ SHA-256(clientDataJSON) with key, as an
// authenticator does.
func sign(t testing.TB, key *vw.Key, authData, clientDataJSON []byte) []byte {
	t.Helper()
	cdh := sha256.Sum256(clientDataJSON)
	digest := sha256.Sum256(append(append([]byte{}, authData...), cdh[:]...))
	keyMu.Lock()
	defer keyMu.Unlock()
	sig, err := key.Sign(digest[:])
	require.NoError(t, err)
	return sig
}

// coseKey returns key's public key as a COSE_Key.
func coseKey(key *vw.Key) []byte {
	keyMu.Lock()
	defer keyMu.Unlock()
	return key.AttestationData()
}

// withAlg returns the COSE key coseKey labelled with another algorithm.
func withAlg(t testing.TB, coseKey []byte, alg int64) []byte {
	t.Helper()
	var m map[int64]any
	require.NoError(t, webauthncbor.Unmarshal(coseKey, &m))
	m[3] = alg
	out, err := webauthncbor.Marshal(m)
	require.NoError(t, err)
	return out
}

func rpIDHash(rpID string, override []byte) []byte {
	if override != nil {
		return override
	}
	h := sha256.Sum256([]byte(rpID))
	return h[:]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeB64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := webauthncbor.Marshal(v)
	require.NoError(t, err)
	return b
}

func cborUnmarshal(data []byte, v any) error { return webauthncbor.Unmarshal(data, v) }

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func ptr[T any](v T) *T { return &v }
