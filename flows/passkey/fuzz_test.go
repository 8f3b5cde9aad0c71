package passkey_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
)

// FuzzVerifySignIn feeds arbitrary bytes as the assertion of a discoverable
// and of an identifier-first ceremony that stay the same across inputs, so
// the fuzzer can reach signature verification. Neither may succeed (no
// input carries a signature by the credential's key: the seeds are signed
// by another one), panic, or write.
func FuzzVerifySignIn(f *testing.F) {
	d := testdb.New(f, testdb.SQLite)
	fx := newFixture(f, d)
	tn := fx.tenant(f, "acme", nil)
	ada := fx.user(f, tn, "ada")
	dev := newDevice(f)
	row := fx.register(f, tn, ada, dev)

	optsD, discoverable := fx.beginSignIn(f, tn, nil)
	optsI, identifierFirst := fx.beginSignIn(f, tn, ada)
	for _, c := range []*passkey.Ceremony{discoverable, identifierFirst} {
		// go-webauthn's own timeout runs on the wall clock; the service's
		// (on the fake clock) still applies.
		c.Session.Expires = time.Time{}
	}
	forger := softkey.NewEC2().Key
	seed := func(a *assertion) []byte {
		a.Key = forger
		return a.json(f)
	}
	for _, opts := range []*passkey.Options{optsD, optsI} {
		f.Add(seed(fx.assertion(f, tn, opts, dev)))
		for _, body := range malformedAssertions(f) {
			a := fx.assertion(f, tn, opts, dev)
			a.Key = forger
			f.Add(body(a))
		}
	}
	a := fx.assertion(f, tn, optsD, dev)
	a.Counter = 1 << 31
	f.Add(seed(a))
	a = fx.assertion(f, tn, optsD, dev)
	a.Signature = make([]byte, 72)
	f.Add(a.json(f))

	// Nothing written: the credential row is checked at the end, and each
	// input is held to the one statement (the credential lookup) a
	// verification may run, which is also cheaper than reading the row
	// back every time.
	f.Cleanup(func() { fx.requireUnchanged(f, tn, row) })
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, c := range []*passkey.Ceremony{discoverable, identifierFirst} {
			ctx, count := db.CountStatements(fx.ctx)
			cred, err := fx.svc.VerifySignIn(ctx, tn, d.ForTenant(tn.ID), c, body)
			require.ErrorIs(t, err, passkey.ErrVerification)
			require.Nil(t, cred)
			require.LessOrEqual(t, count.N(), 1)
		}
	})
}

// FuzzFinishRegistration feeds arbitrary bytes as the attestation of a
// registration ceremony that stays the same across inputs but whose
// challenge no seed knows (the seeds answer another ceremony): nothing can
// register, so every input must be refused with ErrRegistration, without
// panicking or touching storage.
func FuzzFinishRegistration(f *testing.F) {
	d := testdb.New(f, testdb.SQLite)
	fx := newFixture(f, d)
	tn := fx.tenant(f, "acme", nil)
	ada := fx.user(f, tn, "ada")

	_, c := fx.beginRegistration(f, tn, ada)
	c.Session.Expires = time.Time{} // go-webauthn's wall-clock timeout; the service's own still applies
	opts, _ := fx.beginRegistration(f, tn, ada)
	dev := newDevice(f)
	f.Add(fx.attestation(f, tn, opts, dev).json(f))
	none := fx.attestation(f, tn, opts, dev)
	none.Format = "none"
	f.Add(none.json(f))
	for _, body := range malformedRegistrations(f, fx, tn, ada) {
		f.Add(body(&regCase{a: fx.attestation(f, tn, opts, dev)}))
	}

	f.Cleanup(func() { fx.requireNoCredentials(f, tn, ada) })
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, count := db.CountStatements(fx.ctx)
		cred, err := fx.svc.FinishRegistration(ctx, tn, c, registrant(ada), body, "", "")
		require.ErrorIs(t, err, passkey.ErrRegistration)
		require.Nil(t, cred)
		require.Zero(t, count.N())
	})
}
