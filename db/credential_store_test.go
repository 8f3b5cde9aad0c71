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

// createCredential creates a passkey of user under rpID in scope s with a
// random 32-byte credential id and public key; edit adjusts it first.
func createCredential(t testing.TB, s db.Scope, userID uuid.UUID, rpID string, edit ...func(c *db.Credential)) *db.Credential {
	t.Helper()
	c := &db.Credential{
		UserID:            userID,
		RPID:              rpID,
		CredentialID:      randomBytes(t, 32),
		PublicKey:         randomBytes(t, 77),
		Algorithm:         -7,
		AttestationType:   "none",
		AttestationFormat: "none",
		AAGUID:            randomBytes(t, 16),
		SignCount:         5,
		Transports:        "internal,hybrid",
		Attachment:        "platform",
		UserPresent:       true,
		UserVerified:      true,
		BackupEligible:    true,
		Name:              "Passkey",
	}
	for _, e := range edit {
		e(c)
	}
	require.NoError(t, s.Credentials().Create(context.Background(), c))
	return c
}

// requireSameCredential fails unless got holds every stored field of want.
func requireSameCredential(t testing.TB, want, got *db.Credential) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.TenantID, got.TenantID)
	require.Equal(t, want.UserID, got.UserID)
	require.Equal(t, want.RPID, got.RPID)
	require.Equal(t, want.CredentialID, got.CredentialID)
	require.Equal(t, want.PublicKey, got.PublicKey)
	require.Equal(t, want.Algorithm, got.Algorithm)
	require.Equal(t, want.AttestationType, got.AttestationType)
	require.Equal(t, want.AttestationFormat, got.AttestationFormat)
	require.Equal(t, want.AAGUID, got.AAGUID)
	require.Equal(t, want.SignCount, got.SignCount)
	require.Equal(t, want.CloneWarning, got.CloneWarning)
	require.Equal(t, want.Transports, got.Transports)
	require.Equal(t, want.Attachment, got.Attachment)
	require.Equal(t, want.UserPresent, got.UserPresent)
	require.Equal(t, want.UserVerified, got.UserVerified)
	require.Equal(t, want.BackupEligible, got.BackupEligible)
	require.Equal(t, want.BackupState, got.BackupState)
	require.Equal(t, want.Name, got.Name)
	require.WithinDuration(t, want.CreatedAt, got.CreatedAt, time.Millisecond)
	if want.LastUsedAt == nil {
		require.Nil(t, got.LastUsedAt)
	} else {
		require.NotNil(t, got.LastUsedAt)
		require.WithinDuration(t, *want.LastUsedAt, *got.LastUsedAt, time.Millisecond)
	}
}

func TestCredentialStore_CreateThenForSignInLoadsUserInOneStatement(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		c := createCredential(t, s, u.ID, "acme.test")
		require.NotEqual(t, uuid.Nil, c.ID)
		require.Equal(t, a.ID, c.TenantID)
		require.False(t, c.CreatedAt.IsZero())

		ctx, count := db.CountStatements(context.Background())
		got, err := s.Credentials().ForSignIn(ctx, "acme.test", c.CredentialID)
		require.NoError(t, err)
		require.Equal(t, 1, count.N(), "credential and user in one statement")
		requireSameCredential(t, c, got)
		require.NotNil(t, got.User)
		require.Equal(t, u.ID, got.User.ID)
		require.Equal(t, a.ID, got.User.TenantID)
		require.Equal(t, u.WebAuthnHandle, got.User.WebAuthnHandle)
		require.Equal(t, "ada@example.com", got.User.DisplayName)

		ctx, count = db.CountStatements(context.Background())
		_, err = s.Credentials().ForSignIn(ctx, "acme.test", randomBytes(t, 32))
		require.ErrorIs(t, err, db.ErrNotFound)
		require.Equal(t, 1, count.N())
		_, err = s.Credentials().ForSignIn(ctx, "other.test", c.CredentialID)
		require.ErrorIs(t, err, db.ErrNotFound, "the RP ID must match too")

		byID, err := s.Credentials().Get(ctx, u.ID, c.ID)
		require.NoError(t, err)
		requireSameCredential(t, c, byID)
		_, err = s.Credentials().Get(ctx, u.ID, uuid.New())
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestCredentialStore_DuplicateCredentialIDRefusedNeverOverwritten(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		victim := createUser(t, s, "ada@example.com")
		attacker := createUser(t, s, "mallory@example.com")
		orig := createCredential(t, s, victim.ID, "acme.test")

		dup := &db.Credential{
			UserID:       attacker.ID,
			RPID:         "acme.test",
			CredentialID: append([]byte(nil), orig.CredentialID...),
			PublicKey:    randomBytes(t, 77),
			Algorithm:    -8,
			SignCount:    0,
			Name:         "Hijack",
		}
		require.ErrorIs(t, s.Credentials().Create(ctx, dup), db.ErrDuplicate)

		got, err := s.Credentials().ForSignIn(ctx, "acme.test", orig.CredentialID)
		require.NoError(t, err)
		requireSameCredential(t, orig, got)
		require.Equal(t, victim.ID, got.User.ID)

		mine, err := s.Credentials().ByUser(ctx, attacker.ID, "")
		require.NoError(t, err)
		require.Empty(t, mine)
		n, err := s.Credentials().CountByRPID(ctx, "acme.test")
		require.NoError(t, err)
		require.Equal(t, 1, n)
	})
}

func TestCredentialStore_SameCredentialIDAllowedUnderAnotherRPIDOrTenant(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")
		sa, sb := d.ForTenant(a.ID), d.ForTenant(b.ID)
		ua := createUser(t, sa, "ada@example.com")
		ub := createUser(t, sb, "ada@example.com")

		credID := randomBytes(t, 32)
		same := func(c *db.Credential) { c.CredentialID = append([]byte(nil), credID...) }
		first := createCredential(t, sa, ua.ID, "alpha.test", same)
		otherRP := createCredential(t, sa, ua.ID, "login.alpha.test", same)
		otherTenant := createCredential(t, sb, ub.ID, "alpha.test", same)

		for _, tc := range []struct {
			s    db.Scope
			rpID string
			want *db.Credential
		}{
			{sa, "alpha.test", first},
			{sa, "login.alpha.test", otherRP},
			{sb, "alpha.test", otherTenant},
		} {
			got, err := tc.s.Credentials().ForSignIn(ctx, tc.rpID, credID)
			require.NoError(t, err)
			requireSameCredential(t, tc.want, got)
		}
	})
}

func TestCredentialStore_ByUserOldestFirstAndFiltersByRPID(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		other := createUser(t, s, "bob@example.com")

		t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		at := func(tm time.Time, name string) func(*db.Credential) {
			return func(c *db.Credential) { c.CreatedAt = tm; c.Name = name }
		}
		// Created out of time order on purpose.
		middle := createCredential(t, s, u.ID, "acme.test", at(t0, "middle"))
		newest := createCredential(t, s, u.ID, "login.acme.test", at(t0.Add(time.Hour), "newest"))
		oldest := createCredential(t, s, u.ID, "acme.test", at(t0.Add(-time.Hour), "oldest"))
		createCredential(t, s, other.ID, "acme.test", at(t0.Add(-2*time.Hour), "bob's"))

		all, err := s.Credentials().ByUser(ctx, u.ID, "")
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{oldest.ID, middle.ID, newest.ID}, credentialIDs(all))

		acme, err := s.Credentials().ByUser(ctx, u.ID, "acme.test")
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{oldest.ID, middle.ID}, credentialIDs(acme))
		requireSameCredential(t, oldest, acme[0])

		login, err := s.Credentials().ByUser(ctx, u.ID, "login.acme.test")
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{newest.ID}, credentialIDs(login))

		none, err := s.Credentials().ByUser(ctx, u.ID, "elsewhere.test")
		require.NoError(t, err)
		require.Empty(t, none)
		none, err = s.Credentials().ByUser(ctx, uuid.New(), "")
		require.NoError(t, err)
		require.Empty(t, none)
	})
}

func credentialIDs(cs []*db.Credential) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestCredentialStore_RecordSignInStoresAssertionStateInOneStatement(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		c := createCredential(t, s, u.ID, "acme.test", func(c *db.Credential) {
			c.UserVerified = false
			c.BackupState = false
		})
		sibling := createCredential(t, s, u.ID, "acme.test")

		used := time.Now().UTC().Truncate(time.Microsecond)
		want := *c
		want.SignCount = 42
		want.CloneWarning = true
		want.BackupState = true
		want.UserVerified = true
		want.LastUsedAt = &used
		// Fields a sign-in must not change, even if the caller's copy differs.
		signIn := want
		signIn.Name = "changed by sign-in"
		signIn.PublicKey = randomBytes(t, 77)
		signIn.UserID = uuid.New()

		ctx, count := db.CountStatements(context.Background())
		require.NoError(t, s.Credentials().RecordSignIn(ctx, &signIn))
		require.Equal(t, 1, count.N())

		got, err := s.Credentials().Get(context.Background(), u.ID, c.ID)
		require.NoError(t, err)
		requireSameCredential(t, &want, got)
		requireSameInstant(t, used, *got.LastUsedAt)

		// Going back: the stored state follows the latest assertion.
		later := used.Add(time.Minute)
		want.SignCount = 43
		want.CloneWarning = false
		want.BackupState = false
		want.UserVerified = false
		want.LastUsedAt = &later
		require.NoError(t, s.Credentials().RecordSignIn(context.Background(), &want))
		got, err = s.Credentials().Get(context.Background(), u.ID, c.ID)
		require.NoError(t, err)
		requireSameCredential(t, &want, got)

		gotSibling, err := s.Credentials().Get(context.Background(), u.ID, sibling.ID)
		require.NoError(t, err)
		requireSameCredential(t, sibling, gotSibling)

		missing := want
		missing.ID = uuid.New()
		require.ErrorIs(t, s.Credentials().RecordSignIn(context.Background(), &missing), db.ErrNotFound)
	})
}

func TestCredentialStore_RenameAndDeleteScopedToOwningUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		owner := createUser(t, s, "ada@example.com")
		other := createUser(t, s, "mallory@example.com")
		c := createCredential(t, s, owner.ID, "acme.test")
		keep := createCredential(t, s, owner.ID, "acme.test")

		require.ErrorIs(t, s.Credentials().Rename(ctx, other.ID, c.ID, "mine now"), db.ErrNotFound)
		require.ErrorIs(t, s.Credentials().Delete(ctx, other.ID, c.ID), db.ErrNotFound)
		require.ErrorIs(t, s.Credentials().Rename(ctx, owner.ID, uuid.New(), "x"), db.ErrNotFound)
		require.ErrorIs(t, s.Credentials().Delete(ctx, owner.ID, uuid.New()), db.ErrNotFound)
		_, err := s.Credentials().Get(ctx, other.ID, c.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "another user cannot read it either")
		got, err := s.Credentials().Get(ctx, owner.ID, c.ID)
		require.NoError(t, err)
		requireSameCredential(t, c, got)

		require.NoError(t, s.Credentials().Rename(ctx, owner.ID, c.ID, "YubiKey 5"))
		got, err = s.Credentials().Get(ctx, owner.ID, c.ID)
		require.NoError(t, err)
		require.Equal(t, "YubiKey 5", got.Name)
		gotKeep, err := s.Credentials().Get(ctx, owner.ID, keep.ID)
		require.NoError(t, err)
		require.Equal(t, "Passkey", gotKeep.Name, "rename touches one credential")

		require.NoError(t, s.Credentials().Delete(ctx, owner.ID, c.ID))
		_, err = s.Credentials().Get(ctx, owner.ID, c.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Credentials().ForSignIn(ctx, "acme.test", c.CredentialID)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.ErrorIs(t, s.Credentials().Delete(ctx, owner.ID, c.ID), db.ErrNotFound, "already gone")

		left, err := s.Credentials().ByUser(ctx, owner.ID, "")
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{keep.ID}, credentialIDs(left))
	})
}

func TestCredentialStore_CountByRPIDCountsOneTenantAndRPID(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")
		sa, sb := d.ForTenant(a.ID), d.ForTenant(b.ID)
		u1 := createUser(t, sa, "ada@example.com")
		u2 := createUser(t, sa, "bob@example.com")
		ub := createUser(t, sb, "ada@example.com")

		n, err := sa.Credentials().CountByRPID(ctx, "alpha.test")
		require.NoError(t, err)
		require.Zero(t, n)

		createCredential(t, sa, u1.ID, "alpha.test")
		createCredential(t, sa, u1.ID, "alpha.test")
		createCredential(t, sa, u2.ID, "alpha.test")
		createCredential(t, sa, u2.ID, "login.alpha.test")
		createCredential(t, sb, ub.ID, "alpha.test")

		for _, tc := range []struct {
			s    db.Scope
			rpID string
			want int
		}{
			{sa, "alpha.test", 3},
			{sa, "login.alpha.test", 1},
			{sa, "bravo.test", 0},
			{sb, "alpha.test", 1},
			{sb, "login.alpha.test", 0},
		} {
			n, err := tc.s.Credentials().CountByRPID(ctx, tc.rpID)
			require.NoError(t, err)
			require.Equal(t, tc.want, n, "%s in tenant %s", tc.rpID, tc.s.TenantID())
		}
	})
}

func TestCredentialStore_ByteColumnsRoundTripExactly(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")

		// Bytes that quoting or text encoding would mangle come first.
		credID := append([]byte{0x00, '\'', '\\', 0xff, 0x80, '"', 0x00}, randomBytes(t, 1023-7)...)
		pub := append([]byte{0x00, '\\', 'x'}, randomBytes(t, 300)...)
		aaguid := randomBytes(t, 16)
		aaguid[0], aaguid[15] = 0x00, 0x00
		withAAGUID := createCredential(t, s, u.ID, "acme.test", func(c *db.Credential) {
			c.CredentialID = append([]byte(nil), credID...)
			c.PublicKey = append([]byte(nil), pub...)
			c.AAGUID = append([]byte(nil), aaguid...)
		})
		withoutAAGUID := createCredential(t, s, u.ID, "acme.test", func(c *db.Credential) { c.AAGUID = nil })

		got, err := s.Credentials().ForSignIn(ctx, "acme.test", credID)
		require.NoError(t, err)
		require.Equal(t, withAAGUID.ID, got.ID)
		require.Len(t, got.CredentialID, 1023)
		require.Equal(t, credID, got.CredentialID)
		require.Equal(t, pub, got.PublicKey)
		require.Len(t, got.AAGUID, 16)
		require.Equal(t, aaguid, got.AAGUID)

		// A prefix or a one-byte change of the id finds nothing.
		_, err = s.Credentials().ForSignIn(ctx, "acme.test", credID[:1022])
		require.ErrorIs(t, err, db.ErrNotFound)
		flipped := append([]byte(nil), credID...)
		flipped[1022] ^= 0x01
		_, err = s.Credentials().ForSignIn(ctx, "acme.test", flipped)
		require.ErrorIs(t, err, db.ErrNotFound)

		gotNil, err := s.Credentials().Get(ctx, u.ID, withoutAAGUID.ID)
		require.NoError(t, err)
		require.Nil(t, gotNil.AAGUID)
		require.Equal(t, withoutAAGUID.CredentialID, gotNil.CredentialID)
	})
}
