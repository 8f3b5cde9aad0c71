package passkey_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// The numbers in comments and case names are the WebAuthn relying-party
// checks of SECURITY.md.

func TestFinishRegistration_AcceptsAValidAttestation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		u := f.user(t, tn, "ada")
		dev := newDevice(t)

		got := f.register(t, tn, u, dev)
		require.Equal(t, tn.Slug+".localhost", f.rpID(tn))
		require.Equal(t, "http://"+tn.Slug+".localhost:8080", f.origin(tn))
		require.Equal(t, f.rpID(tn), got.RPID)
		require.Equal(t, dev.cred.ID, got.CredentialID)
		require.Equal(t, algES256, got.Algorithm)
		require.Equal(t, "packed", got.AttestationFormat)
		require.Equal(t, dev.aaguid, got.AAGUID)
		require.Equal(t, "internal,hybrid", got.Transports)
		require.Equal(t, "platform", got.Attachment)
		require.True(t, got.UserPresent)
		require.True(t, got.UserVerified)
		// 8: both backup flags are stored.
		require.True(t, got.BackupEligible)
		require.True(t, got.BackupState)
		require.Zero(t, got.SignCount)
		require.NotEmpty(t, got.Name)

		// The same with virtualwebauthn building the whole response from
		// the options, and an RSA key (RS256 is offered).
		u2 := f.user(t, tn, "bob")
		opts, c := f.beginRegistration(t, tn, u2)
		o, err := vw.ParseAttestationOptions(string(opts.PublicKey))
		require.NoError(t, err)
		rp := vw.RelyingParty{ID: f.rpID(tn), Name: tn.Name, Origin: f.origin(tn)}
		cred := vw.NewCredential(vw.KeyTypeRSA)
		body := vw.CreateAttestationResponse(rp, vw.NewAuthenticator(), cred, *o)
		rsa, err := f.svc.FinishRegistration(f.ctx, tn, c, registrant(u2), []byte(body), " My key ", "")
		require.NoError(t, err)
		require.Equal(t, algRS256, rsa.Algorithm)
		require.Equal(t, "My key", rsa.Name)
		require.False(t, rsa.BackupEligible)
		require.False(t, rsa.BackupState)
	})
}

// regCase is one registration about to be finished, for a test to spoil.
type regCase struct {
	f    *fixture
	tn   *tenants.Tenant
	u    *db.User
	opts *passkey.Options
	c    *passkey.Ceremony
	reg  passkey.Registrant
	dev  *device
	a    *attestation
	// body, when set, is sent instead of a.json.
	body []byte
}

func (f *fixture) newRegCase(t *testing.T, tn *tenants.Tenant, u *db.User) *regCase {
	t.Helper()
	dev := newDevice(t)
	opts, c := f.beginRegistration(t, tn, u)
	return &regCase{f: f, tn: tn, u: u, opts: opts, c: c, reg: registrant(u), dev: dev, a: f.attestation(t, tn, opts, dev)}
}

func (rc *regCase) finish(t *testing.T) (*db.Credential, error) {
	t.Helper()
	body := rc.body
	if body == nil {
		body = rc.a.json(t)
	}
	return rc.f.svc.FinishRegistration(rc.f.ctx, rc.tn, rc.c, rc.reg, body, "", "")
}

// requireRefused checks that the registration is refused with
// ErrRegistration and that nothing was stored for the user.
func (rc *regCase) requireRefused(t *testing.T) {
	t.Helper()
	cred, err := rc.finish(t)
	require.ErrorIs(t, err, passkey.ErrRegistration)
	require.Nil(t, cred)
	t.Logf("refused: %v", err)
	rc.f.requireNoCredentials(t, rc.tn, rc.u)
}

func TestFinishRegistration_RefusesWhatTheRelyingPartyMustCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(t *testing.T, rc *regCase)
	}{
		{"1 type is webauthn.get", func(t *testing.T, rc *regCase) { rc.a.ClientData.Type = "webauthn.get" }},
		{"1 type is empty", func(t *testing.T, rc *regCase) { rc.a.ClientData.Type = "" }},
		{"2 challenge of another ceremony", func(t *testing.T, rc *regCase) {
			other, _ := rc.f.beginRegistration(t, rc.tn, rc.u)
			o, err := vw.ParseAttestationOptions(string(other.PublicKey))
			require.NoError(t, err)
			rc.a.ClientData.Challenge = b64(o.Challenge)
		}},
		{"2 challenge made up", func(t *testing.T, rc *regCase) { rc.a.ClientData.Challenge = b64(randomBytes(t, 32)) }},
		{"2 challenge missing", func(t *testing.T, rc *regCase) { rc.a.ClientData.Challenge = "" }},
		{"3 origin of another tenant", func(t *testing.T, rc *regCase) {
			rc.a.ClientData.Origin = rc.f.origin(rc.f.tenant(t, "other", nil))
		}},
		{"3 origin that only starts with the tenant's", func(t *testing.T, rc *regCase) {
			rc.a.ClientData.Origin = rc.f.origin(rc.tn) + ".evil.test"
		}},
		{"3 origin on another port", func(t *testing.T, rc *regCase) {
			rc.a.ClientData.Origin = "http://" + rc.f.rpID(rc.tn) + ":8081"
		}},
		{"3 origin with https", func(t *testing.T, rc *regCase) {
			rc.a.ClientData.Origin = "https://" + rc.f.rpID(rc.tn) + ":8080"
		}},
		{"3 origin of a subdomain", func(t *testing.T, rc *regCase) {
			rc.a.ClientData.Origin = "http://evil." + rc.f.rpID(rc.tn) + ":8080"
		}},
		{"3 origin missing", func(t *testing.T, rc *regCase) { rc.a.ClientData.Origin = "" }},
		{"4 cross-origin iframe", func(t *testing.T, rc *regCase) { rc.a.ClientData.CrossOrigin = ptr(true) }},
		{"4 top origin of another site", func(t *testing.T, rc *regCase) {
			rc.a.ClientData.CrossOrigin = ptr(true)
			rc.a.ClientData.TopOrigin = ptr("https://evil.test")
		}},
		{"5 rpIdHash of another tenant's RP ID", func(t *testing.T, rc *regCase) {
			rc.a.RPID = rc.f.rpID(rc.f.tenant(t, "other", nil))
		}},
		{"5 rpIdHash of the parent domain", func(t *testing.T, rc *regCase) { rc.a.RPID = "localhost" }},
		{"5 rpIdHash of the origin instead of the RP ID", func(t *testing.T, rc *regCase) { rc.a.RPID = rc.f.origin(rc.tn) }},
		{"6 user not present", func(t *testing.T, rc *regCase) { rc.a.Flags &^= flagUP }},
		{"7 user not verified though the tenant requires it", func(t *testing.T, rc *regCase) { rc.a.Flags &^= flagUV }},
		{"8 backup state without backup eligibility", func(t *testing.T, rc *regCase) { rc.a.Flags = rc.a.Flags&^flagBE | flagBS }},
		{"9 algorithm RS1 was not offered", func(t *testing.T, rc *regCase) {
			// A genuine RSA key labelled RS1 (SHA-1), with no statement
			// that could fail for another reason.
			rsa := vw.NewCredential(vw.KeyTypeRSA)
			rc.a.PublicKey = withAlg(t, coseKey(rsa.Key), algRS1)
			rc.a.Format = "none"
		}},
		{"9 algorithm offered to the browser but not in the ceremony", func(t *testing.T, rc *regCase) {
			// The ceremony as stored offered ES256 only; an RS256 key
			// answers it.
			rc.c.Session.CredParams = slices.DeleteFunc(rc.c.Session.CredParams, func(p protocol.CredentialParameter) bool { return int64(p.Algorithm) != algES256 })
			require.Len(t, rc.c.Session.CredParams, 1)
			rsa := vw.NewCredential(vw.KeyTypeRSA)
			rc.a.Key, rc.a.PublicKey, rc.a.Alg = rsa.Key, coseKey(rsa.Key), algRS256
		}},
		{"10 attestation signed by another key", func(t *testing.T, rc *regCase) { rc.a.Key = softkey.NewEC2().Key }},
		{"10 attestation statement algorithm differs from the key's", func(t *testing.T, rc *regCase) { rc.a.Alg = algRS256 }},
		{"10 attestation format unknown", func(t *testing.T, rc *regCase) { rc.a.Format = "sesame-made-up" }},
		{"10 none attestation with a statement", func(t *testing.T, rc *regCase) {
			rc.body = replaceFormat(t, rc.a.json(t), "none")
		}},
		{"11 credential id of 1024 bytes", func(t *testing.T, rc *regCase) { rc.a.CredID = randomBytes(t, 1024) }},
		{"11 rawId other than the attested credential id", func(t *testing.T, rc *regCase) {
			body := rc.a.json(t)
			var m map[string]any
			require.NoError(t, json.Unmarshal(body, &m))
			other := b64(randomBytes(t, 32))
			m["id"], m["rawId"] = other, other
			rc.body = mustJSON(t, m)
		}},
		{"12 ceremony of another user", func(t *testing.T, rc *regCase) {
			rc.reg = registrant(rc.f.user(t, rc.tn, "mallory"))
		}},
		{"12 ceremony for the user with another handle", func(t *testing.T, rc *regCase) {
			rc.reg.Handle = randomBytes(t, 32)
		}},
		{"sign-in ceremony used for a registration", func(t *testing.T, rc *regCase) {
			opts, c := rc.f.beginSignIn(t, rc.tn, nil)
			o, err := vw.ParseAssertionOptions(string(opts.PublicKey))
			require.NoError(t, err)
			rc.c = c
			rc.a.ClientData.Challenge = b64(o.Challenge)
		}},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)

		t.Run("the unspoilt response is accepted", func(t *testing.T) {
			t.Parallel()
			rc := f.newRegCase(t, tn, f.user(t, tn, "control"))
			cred, err := rc.finish(t)
			require.NoError(t, err)
			require.NotNil(t, cred)
		})
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				rc := f.newRegCase(t, tn, f.user(t, tn, fmt.Sprintf("user%d", i)))
				tc.mutate(t, rc)
				rc.requireRefused(t)
			})
		}
	})
}

func TestFinishRegistration_RefusesAnExpiredCeremony(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		u := f.user(t, tn, "ada")

		// 2: the challenge expires after CeremonyTTL on the service's
		// clock, whatever go-webauthn's own timeout says.
		early := f.newRegCase(t, tn, u)
		late := f.newRegCase(t, tn, u)
		f.clock.Advance(passkey.CeremonyTTL - time.Second)
		_, err := early.finish(t)
		require.NoError(t, err)

		f.clock.Advance(time.Second)
		late.requireRefused(t)
	})
}

func TestFinishRegistration_UserVerificationFollowsTheTenantPolicy(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		// 7: required refuses an authenticator that did not verify the
		// user ...
		required := f.tenant(t, "req", nil)
		require.Equal(t, tenants.UVRequired, required.Settings.Passkeys.UserVerification)
		rc := f.newRegCase(t, required, f.user(t, required, "ada"))
		rc.a.Flags &^= flagUV
		rc.requireRefused(t)

		// ... preferred and discouraged accept it and store UV = 0.
		for _, uv := range []string{tenants.UVPreferred, tenants.UVDiscouraged} {
			tn := f.tenant(t, "uv", func(p *tenants.Passkeys) { p.UserVerification = uv })
			rc := f.newRegCase(t, tn, f.user(t, tn, "ada"))
			rc.a.Flags &^= flagUV
			cred, err := rc.finish(t)
			require.NoError(t, err, uv)
			require.False(t, cred.UserVerified)
			require.True(t, cred.UserPresent)
		}

		// The policy in force at finish applies: a ceremony begun while
		// UV was preferred is refused without UV once the tenant requires
		// it (the client may ignore the options, the server may not).
		tn := f.tenant(t, "tight", func(p *tenants.Passkeys) { p.UserVerification = tenants.UVPreferred })
		rc = f.newRegCase(t, tn, f.user(t, tn, "ada"))
		rc.a.Flags &^= flagUV
		rc.tn = f.update(t, tn, func(p *tenants.Passkeys) { p.UserVerification = tenants.UVRequired })
		rc.requireRefused(t)
	})
}

func TestFinishRegistration_RefusesNoneAttestationWhenTheTenantRequiresDirect(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		// 10: with direct, "none" is refused ...
		direct := f.tenant(t, "direct", func(p *tenants.Passkeys) { p.Attestation = tenants.AttestationDirect })
		rc := f.newRegCase(t, direct, f.user(t, direct, "ada"))
		require.Contains(t, string(rc.opts.PublicKey), `"attestation":"direct"`)
		rc.a.Format = "none"
		rc.requireRefused(t)

		// ... and so is self attestation (signed by the credential's own
		// key, which proves nothing about the authenticator) ...
		rc = f.newRegCase(t, direct, f.user(t, direct, "cy"))
		rc.requireRefused(t)

		// ... while an attestation by the authenticator's maker is
		// accepted.
		rc = f.newRegCase(t, direct, f.user(t, direct, "bob"))
		rc.a.AttestationKey, rc.a.AttestationCert = newAttestationCert(t)
		cred, err := rc.finish(t)
		require.NoError(t, err)
		require.Equal(t, "packed", cred.AttestationFormat)
		require.Equal(t, "basic_full", cred.AttestationType)

		// Without the requirement, "none" is fine.
		none := f.tenant(t, "none", nil)
		rc = f.newRegCase(t, none, f.user(t, none, "ada"))
		rc.a.Format = "none"
		cred, err = rc.finish(t)
		require.NoError(t, err)
		require.Equal(t, "none", cred.AttestationFormat)
		require.Equal(t, "none", cred.AttestationType)
	})
}

func TestFinishRegistration_EnforcesTheTenantAttachment(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		platform := f.tenant(t, "plat", func(p *tenants.Passkeys) { p.Attachment = tenants.AttachmentPlatform })
		for _, attachment := range []string{"cross-platform", ""} {
			rc := f.newRegCase(t, platform, f.user(t, platform, "ada"+attachment))
			require.Contains(t, string(rc.opts.PublicKey), `"authenticatorAttachment":"platform"`)
			rc.a.Attachment = attachment
			rc.requireRefused(t)
		}
		rc := f.newRegCase(t, platform, f.user(t, platform, "bob"))
		_, err := rc.finish(t)
		require.NoError(t, err)

		roaming := f.tenant(t, "roam", func(p *tenants.Passkeys) { p.Attachment = tenants.AttachmentCrossPlatform })
		rc = f.newRegCase(t, roaming, f.user(t, roaming, "ada"))
		rc.requireRefused(t)
		rc = f.newRegCase(t, roaming, f.user(t, roaming, "bob"))
		rc.a.Attachment = "cross-platform"
		cred, err := rc.finish(t)
		require.NoError(t, err)
		require.Equal(t, "cross-platform", cred.Attachment)
	})
}

func TestBeginRegistration_OffersTheTenantPolicy(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		u := f.user(t, tn, "ada")
		existing := f.register(t, tn, u, newDevice(t))
		stale := *existing
		stale.ID, stale.RPID, stale.CredentialID = uuid.Nil, "old.localhost", randomBytes(t, 16)
		require.NoError(t, d.ForTenant(tn.ID).Credentials().Create(f.ctx, &stale))

		opts, c, err := f.svc.BeginRegistration(tn, passkey.Registrant{Handle: u.WebAuthnHandle, Name: u.DisplayName, Existing: []*db.Credential{existing, &stale}})
		require.NoError(t, err)
		var o struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			User struct {
				ID string `json:"id"`
			} `json:"user"`
			PubKeyCredParams []struct {
				Alg int64 `json:"alg"`
			} `json:"pubKeyCredParams"`
			ExcludeCredentials []struct {
				ID string `json:"id"`
			} `json:"excludeCredentials"`
			AuthenticatorSelection struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
		}
		require.NoError(t, json.Unmarshal(opts.PublicKey, &o))
		// 2: a server-made challenge of at least 16 bytes.
		challenge, err := decodeB64(o.Challenge)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(challenge), 16)
		require.Equal(t, o.Challenge, c.Session.Challenge)
		require.Equal(t, f.rpID(tn), o.RP.ID)
		require.Equal(t, b64(u.WebAuthnHandle), o.User.ID)
		require.Equal(t, "required", o.AuthenticatorSelection.ResidentKey)
		require.Equal(t, "required", o.AuthenticatorSelection.UserVerification)
		// 9: what is offered (and so what a test of "not offered" may use).
		var algs []int64
		for _, p := range o.PubKeyCredParams {
			algs = append(algs, p.Alg)
		}
		require.Contains(t, algs, algES256)
		require.Contains(t, algs, algRS256)
		require.NotContains(t, algs, algRS1)
		// Only the credential under the current RP ID is excluded.
		require.Len(t, o.ExcludeCredentials, 1)
		require.Equal(t, b64(existing.CredentialID), o.ExcludeCredentials[0].ID)
		require.Equal(t, passkey.KindRegistration, c.Kind)
		require.Equal(t, f.rpID(tn), c.RPID)
		require.Equal(t, f.clock.Now().Add(passkey.CeremonyTTL), c.Expires)
	})
}

func TestBeginRegistration_RefusesAUserHandleOf0Or65Bytes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		// 12: 1 to 64 bytes.
		for _, n := range []int{0, 65, 1024} {
			opts, c, err := f.svc.BeginRegistration(tn, passkey.Registrant{Handle: randomBytes(t, n), Name: "ada@example.com"})
			require.Error(t, err, n)
			require.Nil(t, opts)
			require.Nil(t, c)
		}
		for _, n := range []int{1, 64} {
			_, c, err := f.svc.BeginRegistration(tn, passkey.Registrant{Handle: randomBytes(t, n), Name: "ada@example.com"})
			require.NoError(t, err, n)
			require.Len(t, c.Session.UserID, n)
		}
	})
}

func TestRegistration_AcceptsACredentialIDOf1023Bytes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		u := f.user(t, tn, "ada")
		dev := newDevice(t)
		dev.cred.ID = randomBytes(t, 1023)
		got := f.register(t, tn, u, dev)
		require.Len(t, got.CredentialID, 1023)
		// And it signs in.
		f.signIn(t, tn, dev)
	})
}

func TestRegistration_ADuplicateCredentialIDIsRefusedAndNeverOverwrites(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		ada := f.user(t, tn, "ada")
		first := f.register(t, tn, ada, newDevice(t))

		// 11: another user's authenticator claims the same credential id
		// with its own key. The ceremony itself verifies; storing fails.
		for _, u := range []*db.User{f.user(t, tn, "mallory"), ada} {
			rc := f.newRegCase(t, tn, u)
			rc.dev.cred.ID = first.CredentialID
			rc.a.CredID = first.CredentialID
			cred, err := rc.finish(t)
			require.NoError(t, err)
			cred.UserID = u.ID
			err = d.ForTenant(tn.ID).Credentials().Create(f.ctx, cred)
			require.ErrorIs(t, err, db.ErrDuplicate)
			f.requireUnchanged(t, tn, first)
		}
		creds, err := d.ForTenant(tn.ID).Credentials().ByUser(f.ctx, ada.ID, "")
		require.NoError(t, err)
		require.Len(t, creds, 1)

		// Another tenant is another relying party: the same id is its own.
		other := f.tenant(t, "other", nil)
		dev := newDevice(t)
		dev.cred.ID = first.CredentialID
		f.register(t, other, f.user(t, other, "ada"), dev)
		f.requireUnchanged(t, tn, first)
	})
}

func TestFinishRegistration_RefusesMalformedInput(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		u := f.user(t, tn, "ada")
		for name, body := range malformedRegistrations(t, f, tn, u) {
			t.Run(name, func(t *testing.T) {
				rc := f.newRegCase(t, tn, u)
				rc.body = body(rc)
				rc.requireRefused(t)
			})
		}
	})
}

// malformedRegistrations are registration responses that are broken
// rather than wrong, each built from a valid one for the case's ceremony.
func malformedRegistrations(t testing.TB, f *fixture, tn *tenants.Tenant, u *db.User) map[string]func(rc *regCase) []byte {
	return map[string]func(rc *regCase) []byte{
		"empty body":    func(rc *regCase) []byte { return []byte{} },
		"null":          func(rc *regCase) []byte { return []byte("null") },
		"not JSON":      func(rc *regCase) []byte { return []byte("attestationObject=") },
		"JSON array":    func(rc *regCase) []byte { return []byte("[1,2,3]") },
		"empty object":  func(rc *regCase) []byte { return []byte("{}") },
		"trailing JSON": func(rc *regCase) []byte { return append(rc.a.json(t), []byte(`{"x":1}`)...) },
		"response null": func(rc *regCase) []byte { return rc.a.jsonWithResponse(t, nil) },
		"type not public-key": func(rc *regCase) []byte {
			var m map[string]any
			require.NoError(t, json.Unmarshal(rc.a.json(t), &m))
			m["type"] = "password"
			return mustJSON(t, m)
		},
		"attestationObject truncated": func(rc *regCase) []byte {
			obj := rc.a.object(t)
			return rc.a.jsonWith(t, b64(obj[:len(obj)/2]), b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject not base64": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, "%%%not*base64%%%", b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject empty": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, "", b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject is a CBOR array": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, b64(mustCBOR(t, []any{"packed", 1, 2})), b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject authData is a text string": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, b64(mustCBOR(t, map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": "not bytes"})), b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject authData too short": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, b64(mustCBOR(t, map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": rc.a.authData()[:36]})), b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject with trailing CBOR": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, b64(append(rc.a.object(t), 0x00)), b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject credential id longer than authData": func(rc *regCase) []byte {
			ad := rc.a.authData()
			ad[53], ad[54] = 0xff, 0xff
			return rc.a.jsonWith(t, b64(mustCBOR(t, map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})), b64(rc.a.clientDataJSON(t)))
		},
		"attestationObject without attested credential data": func(rc *regCase) []byte {
			rc.a.Flags &^= flagAT
			return rc.a.json(t)
		},
		"attestationObject public key not COSE": func(rc *regCase) []byte {
			rc.a.PublicKey = []byte{0xa0}
			return rc.a.json(t)
		},
		"authenticatorData with trailing bytes": func(rc *regCase) []byte {
			// 22: signed, so only the strict parse can refuse it.
			rc.a.Trailing = []byte{0xde, 0xad}
			return rc.a.json(t)
		},
		"authenticatorData extension flag without extensions": func(rc *regCase) []byte {
			rc.a.Flags |= flagED
			return rc.a.json(t)
		},
		"clientDataJSON not JSON": func(rc *regCase) []byte {
			rc.a.RawClientData = []byte("webauthn.create")
			return rc.a.json(t)
		},
		"clientDataJSON not base64": func(rc *regCase) []byte {
			return rc.a.jsonWith(t, b64(rc.a.object(t)), "***")
		},
		"clientDataJSON empty": func(rc *regCase) []byte {
			rc.a.RawClientData = []byte{}
			return rc.a.json(t)
		},
	}
}

// jsonWithResponse returns the response JSON with its response member set
// to v.
func (a *attestation) jsonWithResponse(t testing.TB, v any) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(a.json(t), &m))
	m["response"] = v
	return mustJSON(t, m)
}

// replaceFormat re-encodes the attestation object of a registration
// response with another fmt, keeping its statement.
func replaceFormat(t testing.TB, body []byte, format string) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	resp := m["response"].(map[string]any)
	raw, err := decodeB64(resp["attestationObject"].(string))
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, cborUnmarshal(raw, &obj))
	obj["fmt"] = format
	resp["attestationObject"] = b64(mustCBOR(t, obj))
	return mustJSON(t, m)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
