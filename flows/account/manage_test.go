package account_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestAccount_IdentifiersPasswordAndDeletionNeedARecentVerificationButTheNameDoesNot(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newManageEnv(t, d, 7)
		id, err := e.scope().Users().Identifiers(e.ctx, e.caller.Session.UserID)
		require.NoError(t, err)
		e.clock.Advance(flows.RecentVerification + time.Second)
		c := e.caller
		changes := map[string]func() error{
			"BeginAddIdentifier": func() error { _, err := e.svc.BeginAddIdentifier(e.ctx, c, "bob@example.com"); return err },
			"ConfirmIdentifier":  func() error { _, err := e.svc.ConfirmIdentifier(e.ctx, c, id[0].ID.String(), "123456"); return err },
			"RemoveIdentifier":   func() error { _, err := e.svc.RemoveIdentifier(e.ctx, c, id[0].ID); return err },
			"SetPassword":        func() error { _, err := e.svc.SetPassword(e.ctx, c, "a long fresh passphrase", false); return err },
			"RequestDeletion":    func() error { _, err := e.svc.RequestDeletion(e.ctx, c); return err },
		}
		for name, change := range changes {
			require.ErrorIs(t, change(), flows.ErrReverificationRequired, name)
		}
		require.Empty(t, e.outbox.Messages(), "no code went out")
		u, err := e.scope().Users().ByID(e.ctx, c.Session.UserID)
		require.NoError(t, err)
		require.Empty(t, u.PasswordHash)
		require.Nil(t, u.DeleteAfter)

		u, err = e.svc.SetDisplayName(e.ctx, c, "  Ada Lovelace ")
		require.NoError(t, err)
		require.Equal(t, "Ada Lovelace", u.DisplayName)
		for _, bad := range []string{"   ", "Ada\x00", "Ada\nLovelace", strings.Repeat("a", account.DisplayNameMaxLen+1)} {
			_, err = e.svc.SetDisplayName(e.ctx, c, bad)
			require.Error(t, err, "%q", bad)
		}
		u, err = e.scope().Users().ByID(e.ctx, c.Session.UserID)
		require.NoError(t, err)
		require.Equal(t, "Ada Lovelace", u.DisplayName)
	})
}

func TestAccount_AnEmailIsAddedByItsCodeAndNeverTakenFromAnotherAccount(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newManageEnv(t, d, 7)
		b, err := e.svc.BeginAddIdentifier(e.ctx, e.caller, " Bob@Example.com ")
		require.NoError(t, err)
		require.Equal(t, "bob@example.com", b.SentTo)
		right := e.codeTo(t, "bob@example.com", 0)
		_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), wrongCode(right))
		require.ErrorIs(t, err, flows.ErrInvalidCode)
		require.NotContains(t, e.identifiers(t), "bob@example.com")
		// The binding works only in the session that asked for it.
		other := e.caller
		other.Session = e.session(t)
		_, err = e.svc.ConfirmIdentifier(e.ctx, other, b.ID.String(), right)
		require.ErrorIs(t, err, flows.ErrInvalidCode)
		_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), right)
		require.NoError(t, err)
		require.True(t, e.identifiers(t)["bob@example.com"])
		_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), right)
		require.Error(t, err, "a code works once")

		// Another account's verified address: refused before a code goes.
		e.otherUser(t, "carol@example.com", true)
		_, err = e.svc.BeginAddIdentifier(e.ctx, e.caller, "carol@example.com")
		require.ErrorIs(t, err, flows.ErrIdentifierTaken)
		require.Zero(t, flowtest.Sent(e.outbox, "carol@example.com"))
		_, err = e.svc.BeginAddIdentifier(e.ctx, e.caller, "bob@example.com")
		require.ErrorIs(t, err, flows.ErrActionNotAllowed, "already verified here")

		// Taken between the code and its check: refused, nothing changes.
		b, err = e.svc.BeginAddIdentifier(e.ctx, e.caller, "erin@example.com")
		require.NoError(t, err)
		code := e.codeTo(t, "erin@example.com", 0)
		e.otherUser(t, "erin@example.com", true)
		_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), code)
		require.ErrorIs(t, err, flows.ErrIdentifierTaken)
		require.NotContains(t, e.identifiers(t), "erin@example.com")

		// Another account's unproved claim is released by the proof.
		claimant := e.otherUser(t, "dave@example.com", false)
		b, err = e.svc.BeginAddIdentifier(e.ctx, e.caller, "dave@example.com")
		require.NoError(t, err)
		_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), e.codeTo(t, "dave@example.com", 0))
		require.NoError(t, err)
		require.True(t, e.identifiers(t)["dave@example.com"])
		ids, err := e.scope().Users().Identifiers(e.ctx, claimant.ID)
		require.NoError(t, err)
		require.Empty(t, ids)

		_, err = e.svc.BeginAddIdentifier(e.ctx, e.caller, "not an address")
		require.Error(t, err)
	})
}

func TestAccount_TheLastIdentifierAndTheLastWayToSignInStay(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newManageEnv(t, d, 7)
		ids, err := e.scope().Users().Identifiers(e.ctx, e.caller.Session.UserID)
		require.NoError(t, err)
		e.passkey(t)
		_, err = e.svc.RemoveIdentifier(e.ctx, e.caller, ids[0].ID)
		require.ErrorIs(t, err, account.ErrLastSignInMethod, "the only identifier")
		b, err := e.svc.BeginAddIdentifier(e.ctx, e.caller, "bob@example.com")
		require.NoError(t, err)
		_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), e.codeTo(t, "bob@example.com", 0))
		require.NoError(t, err)
		_, err = e.svc.RemoveIdentifier(e.ctx, e.caller, ids[0].ID)
		require.NoError(t, err)
		require.Equal(t, map[string]bool{"bob@example.com": true}, e.identifiers(t))
	})
}

func TestAccount_APasswordFollowsTheTenantsPolicyAndMayEndTheOtherSessions(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newManageEnv(t, d, 7)
		other := e.session(t)
		for _, weak := range []string{"short", "0123456789", strings.Repeat("x", e.tenant.Settings.Password.MaxLength+1)} {
			_, err := e.svc.SetPassword(e.ctx, e.caller, weak, true)
			require.ErrorIs(t, err, flows.ErrInvalidInput, weak)
			var pe *flows.Error
			require.True(t, errors.As(err, &pe))
			require.Equal(t, "password", pe.Field)
		}
		u, err := e.svc.SetPassword(e.ctx, e.caller, "correct horse battery staple", false)
		require.NoError(t, err)
		ok, _, err := password.Verify("correct horse battery staple", u.PasswordHash)
		require.NoError(t, err)
		require.True(t, ok)
		sessions, err := e.scope().Sessions().ByUser(e.ctx, u.ID, e.clock.Now())
		require.NoError(t, err)
		require.Len(t, sessions, 2, "the other session stays unless asked")

		_, err = e.svc.SetPassword(e.ctx, e.caller, "another horse battery staple", true)
		require.NoError(t, err)
		sessions, err = e.scope().Sessions().ByUser(e.ctx, u.ID, e.clock.Now())
		require.NoError(t, err)
		require.Len(t, sessions, 1)
		require.Equal(t, e.caller.Session.ID, sessions[0].ID)
		require.NotEqual(t, other.ID, sessions[0].ID)
	})
}

func TestAccount_ADeletionWaitsForTheGracePeriodAndCanBeCancelled(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newManageEnv(t, d, 7)
		uid := e.caller.Session.UserID
		pk := e.passkey(t)
		e.session(t)
		due, err := e.svc.RequestDeletion(e.ctx, e.caller)
		require.NoError(t, err)
		require.WithinDuration(t, e.clock.Now().Add(7*24*time.Hour), due, time.Second)
		sessions, err := e.scope().Sessions().ByUser(e.ctx, uid, e.clock.Now())
		require.NoError(t, err)
		require.Empty(t, sessions, "every session ended")

		// Before the end of the grace period the job waits.
		e.clock.Advance(6 * 24 * time.Hour)
		when, err := e.svc.RemoveAccount(e.ctx, e.tenant.ID, uid)
		require.NoError(t, err)
		require.WithinDuration(t, due, when, time.Second)
		_, err = e.scope().Users().ByID(e.ctx, uid)
		require.NoError(t, err)

		// The owner signs in and keeps the account: the job does nothing.
		e.caller.Session = e.session(t)
		u, err := e.svc.CancelDeletion(e.ctx, e.caller)
		require.NoError(t, err)
		require.Nil(t, u.DeleteAfter)
		e.clock.Advance(2 * 24 * time.Hour)
		when, err = e.svc.RemoveAccount(e.ctx, e.tenant.ID, uid)
		require.NoError(t, err)
		require.True(t, when.IsZero())
		_, err = e.scope().Users().ByID(e.ctx, uid)
		require.NoError(t, err)

		// Asked again: after the grace period the account and what is its go.
		e.caller.Session.VerifiedAt = e.clock.Now()
		_, err = e.svc.RequestDeletion(e.ctx, e.caller)
		require.NoError(t, err)
		e.clock.Advance(7*24*time.Hour + time.Second)
		when, err = e.svc.RemoveAccount(e.ctx, e.tenant.ID, uid)
		require.NoError(t, err)
		require.True(t, when.IsZero())
		_, err = e.scope().Users().ByID(e.ctx, uid)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = e.scope().Credentials().Get(e.ctx, uid, pk.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		ids, err := e.scope().Users().Identifiers(e.ctx, uid)
		require.NoError(t, err)
		require.Empty(t, ids)
		_, err = e.scope().Users().ByIdentifier(e.ctx, db.IdentifierEmail, "ada@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestAccount_TheDeletionJobRemovesAnAccountWithNoGracePeriod(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newManageEnv(t, d, 0)
		uid := e.caller.Session.UserID
		e.passkey(t)
		_, err := e.svc.RequestDeletion(e.ctx, e.caller)
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			_, err := e.scope().Users().ByID(e.ctx, uid)
			return errors.Is(err, db.ErrNotFound)
		}, 15*time.Second, 20*time.Millisecond, "the job removed the account")
		creds, err := e.scope().Credentials().ByUser(e.ctx, uid, "")
		require.NoError(t, err)
		require.Empty(t, creds)
	})
}
