package db_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// randomBytes returns n random bytes.
func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// createUser creates a user in scope s with a 32-byte random WebAuthn
// handle and, when email is not empty, that email identifier.
func createUser(t testing.TB, s db.Scope, email string) *db.User {
	t.Helper()
	u := &db.User{WebAuthnHandle: randomBytes(t, 32), DisplayName: email}
	var ids []*db.Identifier
	if email != "" {
		ids = append(ids, &db.Identifier{Kind: db.IdentifierEmail, Value: email})
	}
	require.NoError(t, s.Users().Create(context.Background(), u, ids...))
	return u
}

// requireSameInstant fails unless got is the same instant as want (stores
// keep microseconds, so want should be truncated to them).
func requireSameInstant(t testing.TB, want, got time.Time, msgAndArgs ...any) {
	t.Helper()
	require.Truef(t, want.Equal(got), "want %s, got %s %v", want.UTC(), got.UTC(), msgAndArgs)
}

func TestUserStore_CreateWithIdentifiersThenLoadByIDIdentifierAndList(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)

		handle := randomBytes(t, 32)
		u := &db.User{WebAuthnHandle: handle, DisplayName: "Ada Lovelace"}
		require.NoError(t, s.Users().Create(ctx, u,
			&db.Identifier{Kind: db.IdentifierUsername, Value: "ada"},
			&db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com"},
		))
		require.NotEqual(t, uuid.Nil, u.ID)
		require.Equal(t, a.ID, u.TenantID)

		byID, err := s.Users().ByID(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, u.ID, byID.ID)
		require.Equal(t, a.ID, byID.TenantID)
		require.Equal(t, handle, byID.WebAuthnHandle)
		require.Equal(t, "Ada Lovelace", byID.DisplayName)
		require.False(t, byID.SSO)
		require.Nil(t, byID.DisabledAt)
		require.WithinDuration(t, u.CreatedAt, byID.CreatedAt, time.Millisecond)

		for _, id := range []struct{ kind, value string }{
			{db.IdentifierEmail, "ada@example.com"},
			{db.IdentifierUsername, "ada"},
		} {
			got, err := s.Users().ByIdentifier(ctx, id.kind, id.value)
			require.NoError(t, err, id.kind)
			require.Equal(t, u.ID, got.ID, id.kind)
			require.Equal(t, handle, got.WebAuthnHandle, id.kind)
		}

		// Kind and value must both match.
		_, err = s.Users().ByIdentifier(ctx, db.IdentifierUsername, "ada@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Users().ByIdentifier(ctx, db.IdentifierEmail, "nobody@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Users().ByID(ctx, uuid.New())
		require.ErrorIs(t, err, db.ErrNotFound)

		ids, err := s.Users().Identifiers(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, ids, 2)
		require.Equal(t, db.IdentifierEmail, ids[0].Kind, "ordered by kind")
		require.Equal(t, "ada@example.com", ids[0].Value)
		require.Equal(t, db.IdentifierUsername, ids[1].Kind)
		require.Equal(t, "ada", ids[1].Value)
		for _, id := range ids {
			require.Equal(t, u.ID, id.UserID)
			require.Equal(t, a.ID, id.TenantID)
			require.Nil(t, id.VerifiedAt)
		}

		none, err := s.Users().Identifiers(ctx, uuid.New())
		require.NoError(t, err)
		require.Empty(t, none)
	})
}

func TestUserStore_TakenIdentifierIsDuplicateAndTransactionLeavesNoUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		ada := createUser(t, s, "ada@example.com")

		second := &db.User{WebAuthnHandle: randomBytes(t, 32), DisplayName: "Impostor"}
		err := d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.ForTenant(a.ID).Users().Create(ctx, second,
				&db.Identifier{Kind: db.IdentifierUsername, Value: "impostor"},
				&db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com"},
			)
		})
		require.ErrorIs(t, err, db.ErrDuplicate)
		require.NotEqual(t, uuid.Nil, second.ID)

		// Neither the second user nor its other identifier survived.
		_, err = s.Users().ByID(ctx, second.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Users().ByIdentifier(ctx, db.IdentifierUsername, "impostor")
		require.ErrorIs(t, err, db.ErrNotFound)
		left, err := s.Users().Identifiers(ctx, second.ID)
		require.NoError(t, err)
		require.Empty(t, left)

		// The email still names the first user, with its identifiers intact.
		got, err := s.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@example.com")
		require.NoError(t, err)
		require.Equal(t, ada.ID, got.ID)
		ids, err := s.Users().Identifiers(ctx, ada.ID)
		require.NoError(t, err)
		require.Len(t, ids, 1)

		// The refused user's handle is free again: no row holds it.
		retry := &db.User{WebAuthnHandle: second.WebAuthnHandle}
		require.NoError(t, s.Users().Create(ctx, retry))
	})
}

func TestUserStore_TakenWebAuthnHandleInTenantIsDuplicate(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		first := createUser(t, s, "ada@example.com")

		again := &db.User{WebAuthnHandle: first.WebAuthnHandle, DisplayName: "Other"}
		require.ErrorIs(t, s.Users().Create(ctx, again), db.ErrDuplicate)
		_, err := s.Users().ByID(ctx, again.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestUserStore_SameIdentifierAndHandleInAnotherTenantAllowed(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")
		sa, sb := d.ForTenant(a.ID), d.ForTenant(b.ID)

		ua := createUser(t, sa, "ada@example.com")
		ub := &db.User{WebAuthnHandle: ua.WebAuthnHandle, DisplayName: "Ada at bravo"}
		require.NoError(t, sb.Users().Create(ctx, ub,
			&db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com"}))
		require.NotEqual(t, ua.ID, ub.ID)

		gotA, err := sa.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@example.com")
		require.NoError(t, err)
		require.Equal(t, ua.ID, gotA.ID)
		gotB, err := sb.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@example.com")
		require.NoError(t, err)
		require.Equal(t, ub.ID, gotB.ID)
		require.Equal(t, b.ID, gotB.TenantID)
	})
}

func TestUserStore_WebAuthnHandleMustBe1To64Bytes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)

		for _, handle := range [][]byte{nil, {}, randomBytes(t, 65)} {
			u := &db.User{WebAuthnHandle: handle}
			err := s.Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierUsername, Value: "bad"})
			require.Error(t, err, "handle of %d bytes", len(handle))
			require.False(t, errors.Is(err, db.ErrDuplicate))
			require.ErrorContains(t, err, "1 to 64 bytes")
			_, err = s.Users().ByID(ctx, u.ID)
			require.ErrorIs(t, err, db.ErrNotFound, "handle of %d bytes", len(handle))
			_, err = s.Users().ByIdentifier(ctx, db.IdentifierUsername, "bad")
			require.ErrorIs(t, err, db.ErrNotFound, "handle of %d bytes", len(handle))
		}

		for _, n := range []int{1, 64} {
			handle := randomBytes(t, n)
			u := &db.User{WebAuthnHandle: handle}
			require.NoError(t, s.Users().Create(ctx, u), "handle of %d bytes", n)
			got, err := s.Users().ByID(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, handle, got.WebAuthnHandle)
		}
	})
}

func TestUserStore_SetSSOAndSetDisabledRoundTrip(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")
		other := createUser(t, s, "bob@example.com")

		require.NoError(t, s.Users().SetSSO(ctx, u.ID, true))
		got, err := s.Users().ByID(ctx, u.ID)
		require.NoError(t, err)
		require.True(t, got.SSO)
		require.False(t, got.UpdatedAt.Before(got.CreatedAt))

		at := time.Now().UTC().Add(-time.Minute).Truncate(time.Microsecond)
		require.NoError(t, s.Users().SetDisabled(ctx, u.ID, &at))
		got, err = s.Users().ByID(ctx, u.ID)
		require.NoError(t, err)
		require.NotNil(t, got.DisabledAt)
		requireSameInstant(t, at, *got.DisabledAt)
		require.True(t, got.SSO, "disabling keeps the SSO mark")

		require.NoError(t, s.Users().SetSSO(ctx, u.ID, false))
		require.NoError(t, s.Users().SetDisabled(ctx, u.ID, nil))
		got, err = s.Users().ByID(ctx, u.ID)
		require.NoError(t, err)
		require.False(t, got.SSO)
		require.Nil(t, got.DisabledAt)

		// The other user was never touched.
		gotOther, err := s.Users().ByID(ctx, other.ID)
		require.NoError(t, err)
		require.False(t, gotOther.SSO)
		require.Nil(t, gotOther.DisabledAt)

		require.ErrorIs(t, s.Users().SetSSO(ctx, uuid.New(), true), db.ErrNotFound)
		require.ErrorIs(t, s.Users().SetDisabled(ctx, uuid.New(), &at), db.ErrNotFound)
	})
}

func TestUserStore_ByIdentifierIsOneStatement(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		u := createUser(t, s, "ada@example.com")

		ctx, count := db.CountStatements(context.Background())
		got, err := s.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@example.com")
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)
		require.Equal(t, 1, count.N())

		ctx, count = db.CountStatements(context.Background())
		_, err = s.Users().ByIdentifier(ctx, db.IdentifierEmail, "nobody@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
		require.Equal(t, 1, count.N())
	})
}

// TestUserStore_ReleaseUnverifiedIdentifierLeavesVerifiedOnesAndOtherTenants:
// an identifier stored unverified is deleted, its user kept; a verified one,
// and the same value in another tenant, stay.
func TestUserStore_ReleaseUnverifiedIdentifierLeavesVerifiedOnesAndOtherTenants(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		b := d.ForTenant(testdb.Tenant(t, d, "bolt").ID)
		claimed := createUser(t, a, "claim@example.com")
		other := createUser(t, b, "claim@example.com")
		now := time.Now().UTC()
		proved := &db.User{WebAuthnHandle: randomBytes(t, 32), DisplayName: "proved"}
		require.NoError(t, a.Users().Create(ctx, proved, &db.Identifier{Kind: db.IdentifierEmail, Value: "proved@example.com", VerifiedAt: &now}))

		released, err := a.Users().ReleaseUnverifiedIdentifier(ctx, db.IdentifierEmail, "proved@example.com")
		require.NoError(t, err)
		require.False(t, released, "a verified identifier stays")
		got, err := a.Users().ByIdentifier(ctx, db.IdentifierEmail, "proved@example.com")
		require.NoError(t, err)
		require.Equal(t, proved.ID, got.ID)

		released, err = a.Users().ReleaseUnverifiedIdentifier(ctx, db.IdentifierEmail, "claim@example.com")
		require.NoError(t, err)
		require.True(t, released)
		_, err = a.Users().ByIdentifier(ctx, db.IdentifierEmail, "claim@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = a.Users().ByID(ctx, claimed.ID)
		require.NoError(t, err, "the account itself stays")

		got, err = b.Users().ByIdentifier(ctx, db.IdentifierEmail, "claim@example.com")
		require.NoError(t, err, "another tenant's identifier stays")
		require.Equal(t, other.ID, got.ID)

		released, err = a.Users().ReleaseUnverifiedIdentifier(ctx, db.IdentifierEmail, "claim@example.com")
		require.NoError(t, err)
		require.False(t, released, "nothing left to release")
	})
}

func TestUserStore_IdentifierReturnsTheRowOrNotFoundInItsTenantOnly(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		b := d.ForTenant(testdb.Tenant(t, d, "bolt").ID)
		u := createUser(t, a, "row@example.com")
		id, err := a.Users().Identifier(ctx, db.IdentifierEmail, "row@example.com")
		require.NoError(t, err)
		require.Equal(t, u.ID, id.UserID)
		require.Nil(t, id.VerifiedAt)
		_, err = b.Users().Identifier(ctx, db.IdentifierEmail, "row@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = a.Users().Identifier(ctx, db.IdentifierUsername, "row@example.com")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}
