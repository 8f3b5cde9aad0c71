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

// The passkey sign-in's statements write and read the same rows as the
// stores' other statements (on PostgreSQL they are prepared and scanned
// by hand, hot_path.go; on SQLite prepared once, hot_lite.go), and are
// counted like every other statement.
func TestHotPath_SignInStatementsWriteAndReadWhatTheOtherStatementsDo(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, count := db.CountStatements(context.Background())
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		now := time.Now().UTC().Truncate(time.Microsecond)
		u := createUser(t, s, "ada@acme.test")
		disabled := now.Add(-time.Hour)
		u.DisabledAt = &disabled
		cred := &db.Credential{UserID: u.ID, RPID: "acme.test", CredentialID: randomBytes(t, 16), PublicKey: randomBytes(t, 77),
			Algorithm: -7, AttestationType: "none", AttestationFormat: "packed", SignCount: 4, Transports: "internal,hybrid",
			Attachment: "platform", UserPresent: true, BackupEligible: true, Name: "Laptop", CreatedAt: now}
		require.NoError(t, s.Credentials().Create(ctx, cred))

		flow := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))
		before := count.N()
		taken, err := s.Flows().TakeWithCeremony(ctx, flow.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, before+1, count.N(), "the hot statements are counted")
		sent := count.Log()[len(count.Log())-1]
		if d.Dialect() == db.Postgres {
			require.Contains(t, sent, "tenant_id = $1 AND token_hash = $2", "prepared, its arguments apart")
		} else {
			require.Contains(t, sent, "tenant_id = ? AND token_hash = ?", "prepared once on SQLite too, its arguments apart")
		}
		require.Equal(t, flow.ID, taken.ID)
		require.Equal(t, flow.TenantID, taken.TenantID)
		require.Equal(t, "sign_in", taken.Kind)
		require.Equal(t, "passkey", taken.State)
		require.EqualValues(t, 1, taken.Version)
		require.Equal(t, compactJSON(t, `{"a":1}`), compactJSON(t, taken.Context))
		require.Equal(t, flow.TokenHash, taken.TokenHash)
		require.Equal(t, compactJSON(t, testCeremony), compactJSON(t, *taken.Ceremony))
		requireSameInstant(t, now.Add(5*time.Minute), *taken.CeremonyExpiresAt)
		requireSameInstant(t, now.Add(time.Hour), taken.ExpiresAt)
		requireSameInstant(t, flow.CreatedAt.Truncate(time.Microsecond), taken.CreatedAt)
		_, err = s.Flows().TakeWithCeremony(ctx, flow.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound, "taken once")
		expired := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(-time.Second))
		_, err = s.Flows().TakeWithCeremony(ctx, expired.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound, "an expired ceremony")

		got, err := s.Credentials().ForSignIn(ctx, "acme.test", cred.CredentialID)
		require.NoError(t, err)
		want, err := s.Credentials().Get(ctx, u.ID, cred.ID)
		require.NoError(t, err)
		requireSameCredential(t, want, got)
		require.Equal(t, u.ID, got.User.ID)
		require.Equal(t, u.WebAuthnHandle, got.User.WebAuthnHandle)
		require.Equal(t, "ada@acme.test", got.User.DisplayName)
		require.Nil(t, got.User.DeleteAfter)
		_, err = s.Credentials().ForSignIn(ctx, "other.test", cred.CredentialID)
		require.ErrorIs(t, err, db.ErrNotFound)

		used := now.Add(time.Minute)
		got.SignCount, got.CloneWarning, got.BackupState, got.UserVerified, got.LastUsedAt = 9, true, true, true, &used
		require.NoError(t, s.Credentials().RecordSignIn(ctx, got))
		after, err := s.Credentials().Get(ctx, u.ID, cred.ID)
		require.NoError(t, err)
		require.EqualValues(t, 9, after.SignCount)
		require.True(t, after.CloneWarning && after.BackupState && after.UserVerified)
		requireSameInstant(t, used, *after.LastUsedAt)
		got.ID = uuid.New()
		require.ErrorIs(t, s.Credentials().RecordSignIn(ctx, got), db.ErrNotFound)

		sess := &db.Session{UserID: u.ID, TokenHash: randomBytes(t, 32), AMR: "webauthn", UserAgent: "ua", IP: "192.0.2.1",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		require.NoError(t, s.Sessions().Create(ctx, sess))
		back, err := s.Sessions().ByToken(ctx, sess.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, sess.ID, back.ID)
		require.Equal(t, u.ID, back.User.ID)
		require.Equal(t, "webauthn", back.AMR)
		require.Equal(t, "ua", back.UserAgent)
		require.Equal(t, "192.0.2.1", back.IP)
		requireSameInstant(t, now, back.VerifiedAt)
		requireSameInstant(t, now.Add(time.Hour), back.ExpiresAt)
		require.ErrorIs(t, s.Sessions().Create(ctx, sess), db.ErrDuplicate)
	})
}

// On PostgreSQL the sign-in's statements are prepared on the connection
// that runs them (once per connection), not sent as new text each time.
func TestHotPath_SignInStatementsArePreparedOnPostgres(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.Postgres)
	ctx := context.Background()
	s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
	now := time.Now().UTC()
	for range 2 {
		flow := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			if _, err := tx.ForTenant(flow.TenantID).Flows().TakeWithCeremony(ctx, flow.TokenHash, now); err != nil {
				return err
			}
			n, err := tx.PreparedForTest(ctx, "DELETE FROM flows WHERE tenant_id = $1")
			require.Equal(t, 1, n, "prepared once on this connection")
			return err
		}))
	}
}
