package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// createSession creates a session of user in scope s with a random token
// hash, created at created and expiring at expires.
func createSession(t testing.TB, s db.Scope, userID uuid.UUID, created, expires time.Time) *db.Session {
	t.Helper()
	ss := &db.Session{
		UserID:     userID,
		TokenHash:  randomBytes(t, 32),
		AMR:        "webauthn",
		UserAgent:  "Mozilla/5.0 (test)",
		IP:         "192.0.2.1",
		CreatedAt:  created,
		VerifiedAt: created,
		ExpiresAt:  expires,
	}
	require.NoError(t, s.Sessions().Create(context.Background(), ss))
	return ss
}

func sessionIDs(ss []*db.Session) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestSessionStore_CreateThenByTokenLoadsUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		now := time.Now().UTC().Truncate(time.Microsecond)

		ss := &db.Session{
			UserID:     u.ID,
			TokenHash:  randomBytes(t, 32),
			AMR:        "webauthn,otp",
			UserAgent:  "Mozilla/5.0 (test)",
			IP:         "2001:db8::1",
			CreatedAt:  now.Add(-time.Minute),
			VerifiedAt: now.Add(-30 * time.Second),
			ExpiresAt:  now.Add(time.Hour),
		}
		require.NoError(t, s.Sessions().Create(ctx, ss))
		require.NotEqual(t, uuid.Nil, ss.ID)
		require.Equal(t, a.ID, ss.TenantID)

		got, err := s.Sessions().ByToken(ctx, ss.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, ss.ID, got.ID)
		require.Equal(t, a.ID, got.TenantID)
		require.Equal(t, u.ID, got.UserID)
		require.Equal(t, ss.TokenHash, got.TokenHash)
		require.Equal(t, "webauthn,otp", got.AMR)
		require.Equal(t, "Mozilla/5.0 (test)", got.UserAgent)
		require.Equal(t, "2001:db8::1", got.IP)
		requireSameInstant(t, ss.CreatedAt, got.CreatedAt)
		requireSameInstant(t, ss.VerifiedAt, got.VerifiedAt)
		requireSameInstant(t, ss.ExpiresAt, got.ExpiresAt)
		require.NotNil(t, got.User)
		require.Equal(t, u.ID, got.User.ID)
		require.Equal(t, a.ID, got.User.TenantID)
		require.Equal(t, u.WebAuthnHandle, got.User.WebAuthnHandle)

		_, err = s.Sessions().ByToken(ctx, randomBytes(t, 32), now)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestSessionStore_ExpiredSessionNotReturnedByToken(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		created := now.Add(-time.Hour)

		past := createSession(t, s, u.ID, created, now.Add(-time.Second))
		atNow := createSession(t, s, u.ID, created, now)
		live := createSession(t, s, u.ID, created, now.Add(time.Microsecond))

		_, err := s.Sessions().ByToken(ctx, past.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Sessions().ByToken(ctx, atNow.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound, "a session expiring exactly now is expired")
		got, err := s.Sessions().ByToken(ctx, live.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, live.ID, got.ID)

		// The same session just before its expiry is still valid, and
		// ByToken reads the expiry in UTC whatever zone now is in.
		got, err = s.Sessions().ByToken(ctx, atNow.TokenHash, now.Add(-time.Microsecond).In(time.FixedZone("UTC+9", 9*3600)))
		require.NoError(t, err)
		require.Equal(t, atNow.ID, got.ID)
	})
}

func TestSessionStore_ByUserNewestFirstWithoutExpired(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		other := createUser(t, s, "bob@example.com")
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		expires := now.Add(time.Hour)

		// Created out of time order on purpose.
		middle := createSession(t, s, u.ID, now.Add(-2*time.Hour), expires)
		newest := createSession(t, s, u.ID, now.Add(-time.Hour), expires)
		oldest := createSession(t, s, u.ID, now.Add(-3*time.Hour), expires)
		createSession(t, s, u.ID, now.Add(-time.Minute), now)                 // expired, and newest of all
		createSession(t, s, u.ID, now.Add(-4*time.Hour), now.Add(-time.Hour)) // expired
		createSession(t, s, other.ID, now.Add(-time.Minute), expires)

		got, err := s.Sessions().ByUser(ctx, u.ID, now)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{newest.ID, middle.ID, oldest.ID}, sessionIDs(got))
		for _, ss := range got {
			require.Equal(t, u.ID, ss.UserID)
		}

		none, err := s.Sessions().ByUser(ctx, uuid.New(), now)
		require.NoError(t, err)
		require.Empty(t, none)
		none, err = s.Sessions().ByUser(ctx, u.ID, expires)
		require.NoError(t, err)
		require.Empty(t, none, "every session has expired by then")
	})
}

func TestSessionStore_DeleteScopedToUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		owner := createUser(t, s, "ada@example.com")
		other := createUser(t, s, "mallory@example.com")
		now := time.Now().UTC()
		ss := createSession(t, s, owner.ID, now, now.Add(time.Hour))
		keep := createSession(t, s, owner.ID, now, now.Add(time.Hour))

		require.ErrorIs(t, s.Sessions().Delete(ctx, other.ID, ss.ID), db.ErrNotFound)
		require.ErrorIs(t, s.Sessions().Delete(ctx, owner.ID, uuid.New()), db.ErrNotFound)
		_, err := s.Sessions().ByToken(ctx, ss.TokenHash, now)
		require.NoError(t, err, "another user's delete left the session alone")

		require.NoError(t, s.Sessions().Delete(ctx, owner.ID, ss.ID))
		_, err = s.Sessions().ByToken(ctx, ss.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.ErrorIs(t, s.Sessions().Delete(ctx, owner.ID, ss.ID), db.ErrNotFound, "already gone")

		left, err := s.Sessions().ByUser(ctx, owner.ID, now)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{keep.ID}, sessionIDs(left))
	})
}

func TestSessionStore_DeleteByTokenEndsOnlyThatSession(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		now := time.Now().UTC()
		ss := createSession(t, s, u.ID, now, now.Add(time.Hour))
		keep := createSession(t, s, u.ID, now, now.Add(time.Hour))

		require.NoError(t, s.Sessions().DeleteByToken(ctx, ss.TokenHash))
		_, err := s.Sessions().ByToken(ctx, ss.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Sessions().ByToken(ctx, keep.TokenHash, now)
		require.NoError(t, err)

		// Signing out twice, or with an unknown token, is not an error.
		require.NoError(t, s.Sessions().DeleteByToken(ctx, ss.TokenHash))
		require.NoError(t, s.Sessions().DeleteByToken(ctx, randomBytes(t, 32)))
		_, err = s.Sessions().ByToken(ctx, keep.TokenHash, now)
		require.NoError(t, err)
	})
}

func TestDeleteExpired_RemovesExpiredSessionsKeepsLiveOnes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		created := now.Add(-24 * time.Hour)
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")
		sa, sb := d.ForTenant(a.ID), d.ForTenant(b.ID)
		ua := createUser(t, sa, "ada@example.com")
		ub := createUser(t, sb, "bob@example.com")

		expiredA := createSession(t, sa, ua.ID, created, now.Add(-time.Second))
		expiredB := createSession(t, sb, ub.ID, created, now.Add(-time.Hour))
		atBoundary := createSession(t, sa, ua.ID, created, now) // DeleteExpired keeps it; ByToken already refuses it
		liveA := createSession(t, sa, ua.ID, created, now.Add(time.Microsecond))
		liveB := createSession(t, sb, ub.ID, created, now.Add(time.Hour))

		got, err := d.DeleteExpired(ctx, now, 100)
		require.NoError(t, err)
		require.Equal(t, 2, got.Sessions)
		require.Zero(t, got.Flows)
		require.Equal(t, 2, got.Total())

		// Looked up just before their expiry, the removed sessions are gone
		// and the rest are still there.
		before := now.Add(-2 * time.Hour)
		for _, ss := range []*db.Session{expiredA, expiredB} {
			_, err := d.ForTenant(ss.TenantID).Sessions().ByToken(ctx, ss.TokenHash, before)
			require.ErrorIs(t, err, db.ErrNotFound)
		}
		for _, ss := range []*db.Session{atBoundary, liveA, liveB} {
			_, err := d.ForTenant(ss.TenantID).Sessions().ByToken(ctx, ss.TokenHash, before)
			require.NoError(t, err)
		}
		left, err := sa.Sessions().ByUser(ctx, ua.ID, before)
		require.NoError(t, err)
		require.ElementsMatch(t, []uuid.UUID{atBoundary.ID, liveA.ID}, sessionIDs(left))

		again, err := d.DeleteExpired(ctx, now, 100)
		require.NoError(t, err)
		require.Zero(t, again.Total())
	})
}

func TestDeleteExpired_RemovesExpiredSessionsInBatches(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		for range 5 {
			createSession(t, s, u.ID, now.Add(-time.Hour), now.Add(-time.Minute))
		}
		live := createSession(t, s, u.ID, now.Add(-time.Hour), now.Add(time.Hour))

		first, err := d.DeleteExpired(ctx, now, 3)
		require.NoError(t, err)
		require.Equal(t, 3, first.Sessions)
		require.True(t, first.Full(3))
		second, err := d.DeleteExpired(ctx, now, 3)
		require.NoError(t, err)
		require.Equal(t, 2, second.Sessions)
		require.False(t, second.Full(3))

		left, err := s.Sessions().ByUser(ctx, u.ID, now.Add(-2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{live.ID}, sessionIDs(left))
	})
}

func TestSessionStore_RefusesMissingExpiryAndDuplicateToken(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "alpha")
		userA := &db.User{WebAuthnHandle: []byte{7}, DisplayName: "a"}
		require.NoError(t, d.ForTenant(a.ID).Users().Create(ctx, userA))
		hash := randomBytes(t, 32)
		expires := time.Now().Add(time.Hour)

		err := d.ForTenant(a.ID).Sessions().Create(ctx, &db.Session{UserID: userA.ID, TokenHash: hash, AMR: "webauthn"})
		require.ErrorContains(t, err, "no expiry")

		require.NoError(t, d.ForTenant(a.ID).Sessions().Create(ctx, &db.Session{UserID: userA.ID, TokenHash: hash, AMR: "webauthn", ExpiresAt: expires}))
		err = d.ForTenant(a.ID).Sessions().Create(ctx, &db.Session{UserID: userA.ID, TokenHash: hash, AMR: "webauthn", ExpiresAt: expires})
		require.ErrorIs(t, err, db.ErrDuplicate)
	})
}

func TestSessionStore_ReverifiedMovesVerifiedAtOfTheUsersLiveSessionOnly(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		other := createUser(t, s, "bob@example.com")
		now := time.Now().UTC().Truncate(time.Microsecond)
		ss := createSession(t, s, u.ID, now.Add(-time.Hour), now.Add(time.Hour))
		expired := createSession(t, s, u.ID, now.Add(-2*time.Hour), now.Add(-time.Minute))

		require.NoError(t, s.Sessions().Reverified(ctx, u.ID, ss.ID, "webauthn,otp", now))
		got, err := s.Sessions().Get(ctx, u.ID, ss.ID, now)
		require.NoError(t, err)
		require.True(t, now.Equal(got.VerifiedAt))
		require.Equal(t, "webauthn,otp", got.AMR)
		require.Equal(t, ss.TokenHash, got.TokenHash)
		require.True(t, ss.CreatedAt.Equal(got.CreatedAt))
		require.True(t, ss.ExpiresAt.Equal(got.ExpiresAt))

		for name, err := range map[string]error{
			"another user's": s.Sessions().Reverified(ctx, other.ID, ss.ID, "otp", now),
			"expired":        s.Sessions().Reverified(ctx, u.ID, expired.ID, "otp", now),
		} {
			require.ErrorIs(t, err, db.ErrNotFound, name)
		}
		_, err = s.Sessions().Get(ctx, other.ID, ss.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Sessions().Get(ctx, u.ID, expired.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound)
		got, err = s.Sessions().Get(ctx, u.ID, ss.ID, now)
		require.NoError(t, err)
		require.Equal(t, "webauthn,otp", got.AMR, "the refused updates changed nothing")
	})
}
