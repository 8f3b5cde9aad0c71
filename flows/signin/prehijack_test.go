package signin_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestCode_AnAddressNeverProvedSignsInToNothingAndIsReleased: an account
// holds an email address stored unverified, and a passkey its maker
// created. The right code to that address signs in to nothing, exactly as
// for an unknown address (invalid_code, no session); the claim is released
// so that the address is free, and the account keeps its passkey, which
// still signs in to it alone. The next code sign-in to the address finds no
// account at all.
func TestCode_AnAddressNeverProvedSignsInToNothingAndIsReleased(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		claimant := &member{email: "claimed@example.com"}
		claimant.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: claimant.email}
		require.NoError(t, e.Scope().Users().Create(e.Ctx, claimant.user, &db.Identifier{Kind: db.IdentifierEmail, Value: claimant.email}))
		claimant.addPasskey(t, e)

		token := e.start(t)
		e.identify(t, token, claimant.email)
		code, _ := e.sentCode(t, token, claimant.email)
		_, err := e.verifyCode(token, code)
		require.ErrorIs(t, err, flows.ErrInvalidCode, "the right code signs in to nothing")
		require.Zero(t, e.sessions(t, claimant.user.ID))
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, claimant.email)
		require.ErrorIs(t, err, db.ErrNotFound, "the unproved claim is released")
		creds, err := e.Scope().Credentials().ByUser(e.Ctx, claimant.user.ID, "")
		require.NoError(t, err)
		require.Len(t, creds, 1, "the account keeps its passkey")

		// As for an unknown address from now on.
		again := e.start(t)
		e.identify(t, again, claimant.email)
		code, _ = e.sentCode(t, again, claimant.email)
		_, err = e.verifyCode(again, code)
		require.ErrorIs(t, err, flows.ErrInvalidCode)

		// The claimant's passkey opens the claimant's account only.
		pk, opts := e.begin(t)
		res, err := e.finish(pk, claimant.answer(t, e, opts))
		require.NoError(t, err)
		require.Equal(t, claimant.user.ID, res.Session.Session.UserID)
	})
}

// TestCode_AVerifiedAddressStillSignsIn: the rule touches only identifiers
// never proved; a member's verified address signs in by its code, and
// stays.
func TestCode_AVerifiedAddressStillSignsIn(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		token := e.start(t)
		e.identify(t, token, ada.email)
		code, _ := e.sentCode(t, token, ada.email)
		res, err := e.verifyCode(token, code)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Equal(t, ada.user.ID, res.Session.Session.UserID)
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, ada.email)
		require.NoError(t, err)
	})
}
