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

func TestOIDCAuthRequestStore_CodeIsUsedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		u := createUser(t, s, "ada@acme.test")
		r := &db.OIDCAuthRequest{ClientID: "c", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
		require.NoError(t, s.OIDCAuthRequests().Create(ctx, r))
		completion := db.Completion{UserID: u.ID, SessionID: uuid.New(), AMR: "webauthn", AuthTime: now, CodeHash: []byte("h"), CodeExpiresAt: now.Add(time.Minute)}
		require.NoError(t, s.OIDCAuthRequests().Complete(ctx, r.ID, completion, now))
		completion.CodeHash = []byte("h2")
		require.ErrorIs(t, s.OIDCAuthRequests().Complete(ctx, r.ID, completion, now), db.ErrNotFound, "one code per request")

		_, err := s.OIDCAuthRequests().UseCode(ctx, []byte("h"), now.Add(2*time.Minute), now.Add(time.Hour))
		require.ErrorIs(t, err, db.ErrNotFound, "an expired code")
		got, err := s.OIDCAuthRequests().UseCode(ctx, []byte("h"), now, now.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, u.ID, *got.UserID)
		again, err := s.OIDCAuthRequests().UseCode(ctx, []byte("h"), now, now.Add(time.Hour))
		require.ErrorIs(t, err, db.ErrCodeReused)
		require.Equal(t, r.ID, again.ID)
	})
}

func TestOIDCKeyStore_OneCurrentKeyPerAlgorithm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		old := &db.OIDCSigningKey{Alg: "RS256", SealedKey: []byte("1"), CreatedAt: now}
		require.NoError(t, s.OIDCKeys().Create(ctx, old))
		require.ErrorIs(t, s.OIDCKeys().Create(ctx, &db.OIDCSigningKey{Alg: "RS256", SealedKey: []byte("2"), CreatedAt: now}), db.ErrDuplicate)
		require.NoError(t, s.OIDCKeys().Create(ctx, &db.OIDCSigningKey{Alg: "ES256", SealedKey: []byte("3"), CreatedAt: now}))

		require.NoError(t, s.OIDCKeys().Retire(ctx, "RS256", now))
		next := &db.OIDCSigningKey{Alg: "RS256", SealedKey: []byte("4"), CreatedAt: now.Add(time.Second)}
		require.NoError(t, s.OIDCKeys().Create(ctx, next))
		keys, err := s.OIDCKeys().Published(ctx, now.Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, keys, 3, "the retired key is published during the overlap")
		keys, err = s.OIDCKeys().Published(ctx, now)
		require.NoError(t, err)
		require.Len(t, keys, 2, "and not after")
		for _, k := range keys {
			require.NotEqual(t, old.ID, k.ID)
		}
	})
}

func TestDeleteExpired_RemovesExpiredAuthorizationRequestsAndTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		old := &db.OIDCAuthRequest{ClientID: "c", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(-time.Second)}
		live := &db.OIDCAuthRequest{ClientID: "c", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		require.NoError(t, s.OIDCAuthRequests().Create(ctx, old))
		require.NoError(t, s.OIDCAuthRequests().Create(ctx, live))
		tok := &db.OIDCToken{ClientID: "c", Subject: "c", CreatedAt: now, ExpiresAt: now.Add(-time.Second)}
		require.NoError(t, s.OIDCTokens().Create(ctx, tok))
		got, err := d.DeleteExpired(ctx, now, 100)
		require.NoError(t, err)
		require.Equal(t, 1, got.OIDC)
		_, err = s.OIDCAuthRequests().Get(ctx, live.ID, now)
		require.NoError(t, err)
		_, err = s.OIDCTokens().Get(ctx, tok.ID, now.Add(-time.Minute))
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestOIDCAuthRequestStore_ConcurrentExchangesOfOneCodeOneWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		u := createUser(t, s, "ada@acme.test")
		r := &db.OIDCAuthRequest{ClientID: "c", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
		require.NoError(t, s.OIDCAuthRequests().Create(ctx, r))
		require.NoError(t, s.OIDCAuthRequests().Complete(ctx, r.ID, db.Completion{UserID: u.ID, SessionID: uuid.New(), AMR: "webauthn",
			AuthTime: now, CodeHash: []byte("h"), CodeExpiresAt: now.Add(time.Minute)}, now))

		const n = 8
		results := make(chan error, n)
		for range n {
			go func() {
				_, err := s.OIDCAuthRequests().UseCode(ctx, []byte("h"), now, now.Add(time.Hour))
				results <- err
			}()
		}
		wins := 0
		for range n {
			if err := <-results; err == nil {
				wins++
			} else {
				require.ErrorIs(t, err, db.ErrCodeReused)
			}
		}
		require.Equal(t, 1, wins, "a code is exchanged once")
	})
}

func TestOIDCRefreshTokenStore_ReuseAfterTheGraceIsDetected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		u := createUser(t, s, "ada@acme.test")
		rt := &db.OIDCRefreshToken{FamilyID: uuid.New(), TokenHash: []byte("h"), ClientID: "c", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		require.NoError(t, s.OIDCRefreshTokens().Create(ctx, rt))
		_, err := s.OIDCRefreshTokens().Use(ctx, "other", []byte("h"), now, 2*time.Second)
		require.ErrorIs(t, err, db.ErrNotFound, "another client's token")
		_, err = s.OIDCRefreshTokens().Use(ctx, "c", []byte("h"), now, 2*time.Second)
		require.NoError(t, err)
		_, err = s.OIDCRefreshTokens().Use(ctx, "c", []byte("h"), now.Add(2*time.Second), 2*time.Second)
		require.NoError(t, err, "a concurrent refresh within the grace")
		got, err := s.OIDCRefreshTokens().Use(ctx, "c", []byte("h"), now.Add(2*time.Second+time.Millisecond), 2*time.Second)
		require.ErrorIs(t, err, db.ErrRefreshReused)
		require.Equal(t, rt.FamilyID, got.FamilyID)
		require.NoError(t, s.OIDCRefreshTokens().RevokeFamily(ctx, rt.FamilyID))
		_, err = s.OIDCRefreshTokens().ByHash(ctx, "c", []byte("h"))
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

// An authorization request stored on its own commits without waiting for
// the disk (synchronous_commit off in its statement) on PostgreSQL; stored
// in a transaction it leaves that transaction's durability alone.
func TestOIDCAuthRequestStore_OnlyARequestStoredOnItsOwnSkipsTheFsync(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, count := db.CountStatements(context.Background())
		tn := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(tn.ID)
		r := &db.OIDCAuthRequest{ClientID: "c", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
		require.NoError(t, s.OIDCAuthRequests().Create(ctx, r))
		got, err := s.OIDCAuthRequests().Get(ctx, r.ID, now)
		require.NoError(t, err)
		require.Equal(t, "", got.AMR)
		require.Equal(t, "{}", got.Request)
		log := count.Log()
		if d.Dialect() == db.Postgres {
			require.Contains(t, log[0], "set_config('synchronous_commit', 'off', true)")
		} else {
			require.NotContains(t, log[0], "synchronous_commit")
		}

		requireDurableInTx(t, d, func(ctx context.Context, tx *db.Tx) error {
			in := &db.OIDCAuthRequest{ClientID: "c", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
			return tx.ForTenant(tn.ID).OIDCAuthRequests().Create(ctx, in)
		})
	})
}

// requireDurableInTx runs create in a transaction and requires that it
// leaves the transaction's durability alone: on PostgreSQL its commit
// still waits for the disk, and no statement touched synchronous_commit.
func requireDurableInTx(t *testing.T, d *db.DB, create func(ctx context.Context, tx *db.Tx) error) {
	t.Helper()
	ctx, count := db.CountStatements(context.Background())
	require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := create(ctx, tx); err != nil {
			return err
		}
		if d.Dialect() != db.Postgres {
			return nil
		}
		v, err := tx.SettingForTest(ctx, "synchronous_commit")
		require.Equal(t, "on", v, "the transaction's commit still waits for the disk")
		return err
	}))
	for _, q := range count.Log() {
		require.NotContains(t, q, "set_config", q)
	}
}
