package passkey_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
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

// signInWorld is the tenant acme with two users who each have a passkey,
// and two other tenants whose credentials must never sign in to acme.
type signInWorld struct {
	f *fixture
	// acme: ada (synced passkey, BE=1) and bob (device-bound, BE=0).
	acme     *tenants.Tenant
	ada, bob *db.User
	adaDev   *device
	bobDev   *device
	adaRow   *db.Credential
	bobRow   *db.Credential
	// other: its own RP ID, its own ada.
	other     *tenants.Tenant
	otherUser *db.User
	otherDev  *device
	otherRow  *db.Credential
	// impostor: acme's RP ID and origin; impostorDev has the credential id
	// of ada's passkey, impostorOwnID one acme does not know.
	impostor      *tenants.Tenant
	impostorUser  *db.User
	impostorDev   *device
	impostorRow   *db.Credential
	impostorOwnID *device
}

func newSignInWorld(t *testing.T, d *db.DB) *signInWorld {
	t.Helper()
	f := newFixture(t, d)
	w := &signInWorld{f: f}
	w.acme = f.tenant(t, "acme", nil)
	w.ada, w.bob = f.user(t, w.acme, "ada"), f.user(t, w.acme, "bob")
	w.adaDev = newDevice(t)
	w.adaRow = f.register(t, w.acme, w.ada, w.adaDev)
	w.bobDev = newDevice(t)
	w.bobDev.flags = flagUP | flagUV
	w.bobDev.attachment = "cross-platform"
	w.bobRow = f.register(t, w.acme, w.bob, w.bobDev)

	// Another tenant, another RP ID.
	w.other = f.tenant(t, "other", nil)
	w.otherUser = f.user(t, w.other, "ada")
	w.otherDev = newDevice(t)
	w.otherRow = f.register(t, w.other, w.otherUser, w.otherDev)

	// A tenant that configured acme's RP ID and origin as its own (the
	// settings written past the service's checks, which refuse it) and registered, under it, a credential with the
	// same id as ada's but its own key and user, and one with an id acme
	// does not know.
	w.impostor = f.misconfigure(t, f.tenant(t, "impostor", nil), func(p *tenants.Passkeys) {
		p.RPID = f.rpID(w.acme)
		p.Origins = []string{f.origin(w.acme)}
	})
	require.Equal(t, f.rpID(w.acme), f.rpID(w.impostor))
	w.impostorUser = f.user(t, w.impostor, "ada")
	w.impostorDev = newDevice(t)
	w.impostorDev.cred.ID = w.adaDev.cred.ID
	w.impostorRow = f.register(t, w.impostor, w.impostorUser, w.impostorDev)
	w.impostorOwnID = newDevice(t)
	f.register(t, w.impostor, w.impostorUser, w.impostorOwnID)
	return w
}

// requireUnchanged checks that no stored credential of the world changed.
func (w *signInWorld) requireUnchanged(t *testing.T) {
	t.Helper()
	w.f.requireUnchanged(t, w.acme, w.adaRow)
	w.f.requireUnchanged(t, w.acme, w.bobRow)
	w.f.requireUnchanged(t, w.other, w.otherRow)
	w.f.requireUnchanged(t, w.impostor, w.impostorRow)
}

// signInCase is one assertion about to be verified, for a test to spoil.
type signInCase struct {
	w    *signInWorld
	tn   *tenants.Tenant
	opts *passkey.Options
	c    *passkey.Ceremony
	a    *assertion
	body []byte
}

// discoverable answers a discoverable ceremony of acme with dev.
func (w *signInWorld) discoverable(t *testing.T, dev *device) *signInCase {
	t.Helper()
	opts, c := w.f.beginSignIn(t, w.acme, nil)
	return &signInCase{w: w, tn: w.acme, opts: opts, c: c, a: w.f.assertion(t, w.acme, opts, dev)}
}

// identifierFirst answers an identifier-first ceremony of acme for u with
// dev.
func (w *signInWorld) identifierFirst(t *testing.T, u *db.User, dev *device) *signInCase {
	t.Helper()
	opts, c := w.f.beginSignIn(t, w.acme, u)
	return &signInCase{w: w, tn: w.acme, opts: opts, c: c, a: w.f.assertion(t, w.acme, opts, dev)}
}

func (sc *signInCase) verify(t *testing.T) (*db.Credential, error) {
	t.Helper()
	body := sc.body
	if body == nil {
		body = sc.a.json(t)
	}
	return sc.w.f.verify(sc.tn, sc.c, body)
}

// requireRefused checks that the assertion is refused with
// ErrVerification and that no credential changed.
func (sc *signInCase) requireRefused(t *testing.T) error {
	t.Helper()
	cred, err := sc.verify(t)
	require.ErrorIs(t, err, passkey.ErrVerification)
	require.Nil(t, cred)
	t.Logf("refused: %v", err)
	sc.w.requireUnchanged(t)
	return err
}

func TestVerifySignIn_RefusesWhatTheRelyingPartyMustCheck(t *testing.T) {
	t.Parallel()
	type spoil func(t *testing.T, sc *signInCase)
	// Each case starts from a valid answer by ada's device to a
	// discoverable ceremony of acme (or, with identifierFirst, to an
	// identifier-first ceremony for ada).
	cases := []struct {
		name            string
		identifierFirst bool
		dev             func(w *signInWorld) *device
		spoil           spoil
	}{
		{name: "16.1 type is webauthn.create", spoil: func(t *testing.T, sc *signInCase) { sc.a.ClientData.Type = "webauthn.create" }},
		{name: "16.1 type is payment.get", spoil: func(t *testing.T, sc *signInCase) { sc.a.ClientData.Type = "payment.get" }},
		{name: "16.2 challenge of another ceremony", spoil: func(t *testing.T, sc *signInCase) {
			opts, _ := sc.w.f.beginSignIn(t, sc.w.acme, nil)
			o, err := vw.ParseAssertionOptions(string(opts.PublicKey))
			require.NoError(t, err)
			sc.a.ClientData.Challenge = b64(o.Challenge)
		}},
		{name: "16.2 challenge made up", spoil: func(t *testing.T, sc *signInCase) { sc.a.ClientData.Challenge = b64(randomBytes(t, 32)) }},
		{name: "16.2 challenge missing", spoil: func(t *testing.T, sc *signInCase) { sc.a.ClientData.Challenge = "" }},
		{name: "16.3 origin of another tenant", spoil: func(t *testing.T, sc *signInCase) { sc.a.ClientData.Origin = sc.w.f.origin(sc.w.other) }},
		{name: "16.3 origin that only starts with the tenant's", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.ClientData.Origin = sc.w.f.origin(sc.w.acme) + ".evil.test"
		}},
		{name: "16.3 origin of a subdomain", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.ClientData.Origin = "http://evil." + sc.w.f.rpID(sc.w.acme) + ":8080"
		}},
		{name: "16.3 origin with https", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.ClientData.Origin = "https://" + sc.w.f.rpID(sc.w.acme) + ":8080"
		}},
		{name: "16.4 cross-origin iframe", spoil: func(t *testing.T, sc *signInCase) { sc.a.ClientData.CrossOrigin = ptr(true) }},
		{name: "16.4 top origin without cross origin", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.ClientData.TopOrigin = ptr("https://evil.test")
		}},
		{name: "16.5 rpIdHash of another tenant's RP ID", spoil: func(t *testing.T, sc *signInCase) { sc.a.RPID = sc.w.f.rpID(sc.w.other) }},
		{name: "16.5 rpIdHash of the parent domain", spoil: func(t *testing.T, sc *signInCase) { sc.a.RPID = "localhost" }},
		{name: "16.6 user not present", spoil: func(t *testing.T, sc *signInCase) { sc.a.Flags &^= flagUP }},
		{name: "16.7 user not verified though the tenant requires it", spoil: func(t *testing.T, sc *signInCase) { sc.a.Flags &^= flagUV }},
		{name: "16.7 user not verified, identifier first", identifierFirst: true, spoil: func(t *testing.T, sc *signInCase) { sc.a.Flags &^= flagUV }},
		{name: "19 backup eligibility dropped", spoil: func(t *testing.T, sc *signInCase) { sc.a.Flags &^= flagBE | flagBS }},
		{name: "19 backup eligibility gained", dev: func(w *signInWorld) *device { return w.bobDev }, spoil: func(t *testing.T, sc *signInCase) {
			sc.a.Flags |= flagBE
		}},
		{name: "8 backup state without backup eligibility", dev: func(w *signInWorld) *device { return w.bobDev }, spoil: func(t *testing.T, sc *signInCase) {
			sc.a.Flags |= flagBS
		}},
		{name: "17 signed by another key with the real credential id", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.Key = softkey.NewEC2().Key
		}},
		{name: "17 signed by another tenant's key with the same credential id", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.Key = sc.w.impostorDev.cred.Key
		}},
		{name: "17 signature of random bytes", spoil: func(t *testing.T, sc *signInCase) { sc.a.Signature = randomBytes(t, 72) }},
		{name: "17 signature empty", spoil: func(t *testing.T, sc *signInCase) { sc.a.Signature = []byte{} }},
		{name: "17 signature over other client data", spoil: func(t *testing.T, sc *signInCase) {
			other := sc.a.ClientData
			other.Challenge = b64(randomBytes(t, 32))
			sc.a.SignedClientData = mustJSON(t, other)
		}},
		{name: "17 signature over other authenticator data", spoil: func(t *testing.T, sc *signInCase) {
			// Signed with UV; sent claiming a higher counter.
			signed := sc.a.authData()
			sc.a.SignedAuthData = signed
			sc.a.Counter += 100
		}},
		{name: "17 signature of another assertion", spoil: func(t *testing.T, sc *signInCase) {
			other := *sc.a
			other.ClientData.Challenge = b64(randomBytes(t, 32))
			var m struct {
				Response struct {
					Signature string `json:"signature"`
				} `json:"response"`
			}
			require.NoError(t, json.Unmarshal(other.json(t), &m))
			sig, err := decodeB64(m.Response.Signature)
			require.NoError(t, err)
			sc.a.Signature = sig
		}},
		{name: "15 discoverable without user handle", spoil: func(t *testing.T, sc *signInCase) { sc.a.UserHandle = nil }},
		{name: "15 discoverable with an empty user handle", spoil: func(t *testing.T, sc *signInCase) { sc.a.UserHandle = []byte{} }},
		{name: "15 user handle of another user", spoil: func(t *testing.T, sc *signInCase) { sc.a.UserHandle = sc.w.bob.WebAuthnHandle }},
		{name: "15 user handle of another tenant's user", spoil: func(t *testing.T, sc *signInCase) {
			sc.a.UserHandle = sc.w.otherUser.WebAuthnHandle
		}},
		{name: "15 same credential id in another tenant under the same RP ID", spoil: func(t *testing.T, sc *signInCase) {
			// Everything the impostor tenant's device says, signed with its
			// key: acme must not find the impostor's credential.
			sc.a.UserHandle = sc.w.impostorUser.WebAuthnHandle
			sc.a.Key = sc.w.impostorDev.cred.Key
		}},
		{name: "15 credential only another tenant has under the same RP ID", dev: func(w *signInWorld) *device { return w.impostorOwnID }},
		{name: "15 credential of another tenant", dev: func(w *signInWorld) *device { return w.otherDev }},
		{name: "unknown credential id", spoil: func(t *testing.T, sc *signInCase) { sc.a.CredID = randomBytes(t, 32) }},
		{name: "registration ceremony used for a sign-in", spoil: func(t *testing.T, sc *signInCase) {
			opts, c := sc.w.f.beginRegistration(t, sc.w.acme, sc.w.ada)
			o, err := vw.ParseAttestationOptions(string(opts.PublicKey))
			require.NoError(t, err)
			sc.c = c
			sc.a.ClientData.Challenge = b64(o.Challenge)
		}},
		{name: "22 authenticator data with trailing bytes", spoil: func(t *testing.T, sc *signInCase) { sc.a.Trailing = []byte{0, 1, 2} }},
		{name: "22 extension flag without extensions", spoil: func(t *testing.T, sc *signInCase) { sc.a.Flags |= flagED }},
		{name: "22 attested-data flag without attested data", spoil: func(t *testing.T, sc *signInCase) { sc.a.Flags |= flagAT }},
		{name: "13 credential of another user", identifierFirst: true, dev: func(w *signInWorld) *device { return w.bobDev }},
		{name: "13 credential of another user with the ceremony user's handle", identifierFirst: true, dev: func(w *signInWorld) *device { return w.bobDev },
			spoil: func(t *testing.T, sc *signInCase) { sc.a.UserHandle = sc.w.ada.WebAuthnHandle }},
		{name: "14 the ceremony user's credential with another user's handle", identifierFirst: true, spoil: func(t *testing.T, sc *signInCase) {
			sc.a.UserHandle = sc.w.bob.WebAuthnHandle
		}},
		{name: "14 credential of another tenant", identifierFirst: true, dev: func(w *signInWorld) *device { return w.otherDev }},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := newSignInWorld(t, d)
		t.Run("the unspoilt answers are accepted", func(t *testing.T) {
			for _, dev := range []*device{w.adaDev, w.bobDev} {
				cred, err := w.discoverable(t, dev).verify(t)
				require.NoError(t, err)
				require.Equal(t, dev.handle, cred.User.WebAuthnHandle)
			}
			cred, err := w.identifierFirst(t, w.ada, w.adaDev).verify(t)
			require.NoError(t, err)
			require.Equal(t, w.ada.ID, cred.UserID)
			// The other tenants' devices work at home.
			for _, tn := range []struct {
				tn  *tenants.Tenant
				dev *device
			}{{w.other, w.otherDev}, {w.impostor, w.impostorDev}, {w.impostor, w.impostorOwnID}} {
				opts, c := w.f.beginSignIn(t, tn.tn, nil)
				_, err := w.f.verify(tn.tn, c, w.f.assertion(t, tn.tn, opts, tn.dev).json(t))
				require.NoError(t, err)
			}
			w.requireUnchanged(t)
		})
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				dev := w.adaDev
				if tc.dev != nil {
					dev = tc.dev(w)
				}
				var sc *signInCase
				if tc.identifierFirst {
					sc = w.identifierFirst(t, w.ada, dev)
				} else {
					sc = w.discoverable(t, dev)
				}
				if tc.spoil != nil {
					tc.spoil(t, sc)
				}
				sc.requireRefused(t)
			})
		}
	})
}

func TestVerifySignIn_RefusesACredentialTheCeremonyDidNotList(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		ada := f.user(t, tn, "ada")
		first, second := newDevice(t), newDevice(t)
		firstRow := f.register(t, tn, ada, first)
		secondRow := f.register(t, tn, ada, second)

		// 13: the ceremony listed only ada's first passkey; her second,
		// though hers, is refused.
		opts, c, err := f.svc.BeginSignIn(tn, ada, []*db.Credential{firstRow}, "")
		require.NoError(t, err)
		c = roundTrip(t, c)
		_, err = f.verify(tn, c, f.assertion(t, tn, opts, second).json(t))
		require.ErrorIs(t, err, passkey.ErrVerification)
		f.requireUnchanged(t, tn, secondRow)

		opts, c, err = f.svc.BeginSignIn(tn, ada, []*db.Credential{firstRow}, "")
		require.NoError(t, err)
		_, err = f.verify(tn, roundTrip(t, c), f.assertion(t, tn, opts, first).json(t))
		require.NoError(t, err)
	})
}

func TestVerifySignIn_RefusesAnExpiredCeremony(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := newSignInWorld(t, d)
		early := w.discoverable(t, w.adaDev)
		late := w.discoverable(t, w.adaDev)
		w.f.clock.Advance(passkey.CeremonyTTL - time.Second)
		_, err := early.verify(t)
		require.NoError(t, err)
		// 2: expired on the service's clock at exactly CeremonyTTL.
		w.f.clock.Advance(time.Second)
		late.requireRefused(t)
	})
}

func TestVerifySignIn_RefusesADisabledUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := newSignInWorld(t, d)
		at := w.f.clock.Now()
		require.NoError(t, d.ForTenant(w.acme.ID).Users().SetDisabled(w.f.ctx, w.ada.ID, &at))
		err := w.discoverable(t, w.adaDev).requireRefused(t)
		require.ErrorIs(t, err, passkey.ErrUserDisabled)
		err = w.identifierFirst(t, w.ada, w.adaDev).requireRefused(t)
		require.ErrorIs(t, err, passkey.ErrUserDisabled)

		require.NoError(t, d.ForTenant(w.acme.ID).Users().SetDisabled(w.f.ctx, w.ada.ID, nil))
		_, err = w.discoverable(t, w.adaDev).verify(t)
		require.NoError(t, err)
	})
}

func TestVerifySignIn_RefusesACeremonyBegunUnderAnotherRPID(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		ada := f.user(t, tn, "ada")
		dev := newDevice(t)
		row := f.register(t, tn, ada, dev)
		oldRPID := f.rpID(tn)

		opts, c := f.beginSignIn(t, tn, nil)
		require.Equal(t, oldRPID, c.RPID)
		// The tenant moves to its parent domain; the origin stays. The
		// same credential is also known under the new RP ID, so only the
		// ceremony's RP ID can tell the two apart.
		tn = f.update(t, tn, func(p *tenants.Passkeys) { p.RPID = "localhost" })
		require.Equal(t, "localhost", f.rpID(tn))
		moved := *row
		moved.ID, moved.RPID = uuid.Nil, "localhost"
		require.NoError(t, d.ForTenant(tn.ID).Credentials().Create(f.ctx, &moved))

		// An answer to the old ceremony, made under the old RP ID.
		_, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
		require.ErrorIs(t, err, passkey.ErrVerification)
		f.requireUnchanged(t, tn, row)
		f.requireUnchanged(t, tn, &moved)

		// A ceremony under the new RP ID works.
		opts, c = f.beginSignIn(t, tn, nil)
		require.Equal(t, "localhost", c.RPID)
		got, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
		require.NoError(t, err)
		require.Equal(t, moved.ID, got.ID)
	})
}

func TestFinishRegistration_RefusesACeremonyBegunUnderAnotherRPID(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		rc := f.newRegCase(t, tn, f.user(t, tn, "ada"))
		// The answer is made for the RP ID the ceremony began under; the
		// tenant has moved since, so the credential would be stored under
		// an RP ID its key is not scoped to.
		rc.tn = f.update(t, tn, func(p *tenants.Passkeys) { p.RPID = "localhost" })
		rc.requireRefused(t)
	})
}

func TestVerifySignIn_UserVerificationRequiredAtFinishApplies(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", func(p *tenants.Passkeys) { p.UserVerification = tenants.UVPreferred })
		dev := newDevice(t)
		dev.flags &^= flagUV
		row := f.register(t, tn, f.user(t, tn, "ada"), dev)

		// Preferred: an assertion without UV is accepted.
		opts, c := f.beginSignIn(t, tn, nil)
		got, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
		require.NoError(t, err)
		require.False(t, got.UserVerified)

		// 16.7: a ceremony begun while UV was preferred is refused without
		// UV once the tenant requires it, as registration is.
		opts, c = f.beginSignIn(t, tn, nil)
		tn = f.update(t, tn, func(p *tenants.Passkeys) { p.UserVerification = tenants.UVRequired })
		_, err = f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
		require.ErrorIs(t, err, passkey.ErrVerification)
		f.requireUnchanged(t, tn, row)
	})
}

func TestVerifySignIn_RegressedCounterWithRejectPolicy(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		require.Equal(t, tenants.CounterReject, tn.Settings.Passkeys.CounterPolicy)
		dev := newDevice(t)
		dev.cred.Counter = 5
		row := f.register(t, tn, f.user(t, tn, "ada"), dev)
		require.EqualValues(t, 5, row.SignCount)
		dev.cred.Counter = 7
		row = f.signIn(t, tn, dev)
		require.EqualValues(t, 7, row.SignCount)

		// 18: not greater than the stored count (a clone, or a replay of
		// an old signature) is refused and changes nothing.
		for _, n := range []uint32{7, 6, 0} {
			dev.cred.Counter = n
			opts, c := f.beginSignIn(t, tn, nil)
			got, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
			require.ErrorIs(t, err, passkey.ErrVerification, n)
			require.ErrorIs(t, err, passkey.ErrCounterRegressed, n)
			require.Nil(t, got)
			f.requireUnchanged(t, tn, row)
		}

		dev.cred.Counter = 8
		require.EqualValues(t, 8, f.signIn(t, tn, dev).SignCount)
	})
}

func TestVerifySignIn_RegressedCounterWithFlagPolicy(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", func(p *tenants.Passkeys) { p.CounterPolicy = tenants.CounterFlag })
		dev := newDevice(t)
		dev.cred.Counter = 10
		f.register(t, tn, f.user(t, tn, "ada"), dev)

		// 18: accepted, the warning stored, the count not lowered.
		dev.cred.Counter = 3
		row := f.signIn(t, tn, dev)
		require.True(t, row.CloneWarning)
		require.EqualValues(t, 10, row.SignCount)
		require.NotNil(t, row.LastUsedAt)

		// The warning stays; a count that grows again is stored (else the
		// counter would stop being checked at all).
		dev.cred.Counter = 11
		row = f.signIn(t, tn, dev)
		require.True(t, row.CloneWarning)
		require.EqualValues(t, 11, row.SignCount)

		// A later tenant switch to reject refuses only real regressions.
		tn = f.update(t, tn, func(p *tenants.Passkeys) { p.CounterPolicy = tenants.CounterReject })
		dev.cred.Counter = 12
		row = f.signIn(t, tn, dev)
		require.EqualValues(t, 12, row.SignCount)
		dev.cred.Counter = 12
		opts, c := f.beginSignIn(t, tn, nil)
		_, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
		require.ErrorIs(t, err, passkey.ErrCounterRegressed)
		f.requireUnchanged(t, tn, row)
	})
}

func TestVerifySignIn_AcceptsACounterOfZeroRepeatedly(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", nil)
		dev := newDevice(t) // synced passkeys always report 0
		f.register(t, tn, f.user(t, tn, "ada"), dev)
		for range 3 {
			row := f.signIn(t, tn, dev)
			require.Zero(t, row.SignCount)
			require.False(t, row.CloneWarning)
		}
	})
}

func TestVerifySignIn_ASuccessfulAssertionUpdatesTheCredential(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tn := f.tenant(t, "acme", func(p *tenants.Passkeys) { p.UserVerification = tenants.UVPreferred })
		ada := f.user(t, tn, "ada")
		dev := newDevice(t)
		dev.flags = flagUP | flagBE // registered without UV, not yet backed up
		before := f.register(t, tn, ada, dev)
		require.False(t, before.BackupState)
		require.False(t, before.UserVerified)
		require.Nil(t, before.LastUsedAt)

		f.clock.Advance(time.Hour)
		dev.cred.Counter = 41
		dev.flags = flagUP | flagUV | flagBE | flagBS
		opts, c := f.beginSignIn(t, tn, ada)
		got, err := f.verify(tn, c, f.assertion(t, tn, opts, dev).json(t))
		require.NoError(t, err)
		// 20: nothing is written by the verification itself ...
		f.requireUnchanged(t, tn, before)
		require.Equal(t, ada.ID, got.User.ID)
		require.NoError(t, d.ForTenant(tn.ID).Credentials().RecordSignIn(f.ctx, got))

		// ... and the record then holds count, BS, UV and last use.
		after := f.row(t, tn, before)
		require.EqualValues(t, 41, after.SignCount)
		require.True(t, after.BackupState)
		require.True(t, after.BackupEligible)
		require.True(t, after.UserVerified)
		require.False(t, after.CloneWarning)
		require.NotNil(t, after.LastUsedAt)
		require.WithinDuration(t, f.clock.Now(), *after.LastUsedAt, time.Millisecond)
		// Nothing else moved.
		after.SignCount, after.BackupState, after.UserVerified, after.LastUsedAt = before.SignCount, before.BackupState, before.UserVerified, before.LastUsedAt
		require.Equal(t, before, after)

		// 19: BS may go back to 0 and is stored.
		dev.flags = flagUP | flagUV | flagBE
		dev.cred.Counter = 42
		require.False(t, f.signIn(t, tn, dev).BackupState)
	})
}

func TestVerifySignIn_RefusesMalformedInput(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := newSignInWorld(t, d)
		for name, body := range malformedAssertions(t) {
			t.Run(name, func(t *testing.T) {
				sc := w.discoverable(t, w.adaDev)
				sc.body = body(sc.a)
				sc.requireRefused(t)
			})
		}
	})
}

// malformedAssertions are sign-in responses that are broken rather than
// wrong, each built from a valid answer a.
func malformedAssertions(t testing.TB) map[string]func(a *assertion) []byte {
	// edit returns a's response JSON with fn applied to it.
	edit := func(a *assertion, fn func(m, resp map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(a.json(t), &m))
		fn(m, m["response"].(map[string]any))
		return mustJSON(t, m)
	}
	return map[string]func(a *assertion) []byte{
		"empty body":    func(a *assertion) []byte { return []byte{} },
		"null":          func(a *assertion) []byte { return []byte("null") },
		"not JSON":      func(a *assertion) []byte { return []byte("credential=abc") },
		"JSON array":    func(a *assertion) []byte { return []byte(`["public-key"]`) },
		"JSON string":   func(a *assertion) []byte { return []byte(`"public-key"`) },
		"empty object":  func(a *assertion) []byte { return []byte("{}") },
		"trailing JSON": func(a *assertion) []byte { return append(a.json(t), []byte(`{}`)...) },
		"deeply nested": func(a *assertion) []byte {
			return []byte(strings.Repeat(`{"response":`, 10000) + strings.Repeat("}", 10000))
		},
		"response null":   func(a *assertion) []byte { return edit(a, func(m, _ map[string]any) { m["response"] = nil }) },
		"response string": func(a *assertion) []byte { return edit(a, func(m, _ map[string]any) { m["response"] = "x" }) },
		"type not public-key": func(a *assertion) []byte {
			return edit(a, func(m, _ map[string]any) { m["type"] = "password" })
		},
		"id other than rawId": func(a *assertion) []byte {
			return edit(a, func(m, _ map[string]any) { m["id"] = b64([]byte("another id")) })
		},
		"rawId missing": func(a *assertion) []byte {
			return edit(a, func(m, _ map[string]any) { delete(m, "rawId"); delete(m, "id") })
		},
		"rawId not base64": func(a *assertion) []byte {
			return edit(a, func(m, _ map[string]any) { m["rawId"], m["id"] = "***", "***" })
		},
		"rawId of 64 KiB": func(a *assertion) []byte {
			id := b64(make([]byte, 64<<10))
			return edit(a, func(m, _ map[string]any) { m["rawId"], m["id"] = id, id })
		},
		"authenticatorData not base64": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { r["authenticatorData"] = "%%%" })
		},
		"authenticatorData missing": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { delete(r, "authenticatorData") })
		},
		"authenticatorData of 36 bytes": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { r["authenticatorData"] = b64(a.authData()[:36]) })
		},
		"authenticatorData with trailing bytes": func(a *assertion) []byte {
			a.Trailing = []byte{0xff}
			return a.json(t)
		},
		"authenticatorData is a number": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { r["authenticatorData"] = 37 })
		},
		"clientDataJSON not JSON": func(a *assertion) []byte {
			a.RawClientData = []byte("webauthn.get")
			return a.json(t)
		},
		"clientDataJSON a JSON array": func(a *assertion) []byte {
			a.RawClientData = []byte(`["webauthn.get"]`)
			return a.json(t)
		},
		"clientDataJSON empty": func(a *assertion) []byte {
			a.RawClientData = []byte{}
			return a.json(t)
		},
		"clientDataJSON not base64": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { r["clientDataJSON"] = "!!" })
		},
		"signature not base64": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { r["signature"] = "$$$" })
		},
		"signature missing": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { delete(r, "signature") })
		},
		"userHandle not base64": func(a *assertion) []byte {
			return edit(a, func(_, r map[string]any) { r["userHandle"] = "@@@" })
		},
		"userHandle of 65 bytes": func(a *assertion) []byte {
			a.UserHandle = append(append([]byte{}, a.UserHandle...), make([]byte, 33)...)
			return a.json(t)
		},
	}
}
