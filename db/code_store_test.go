package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func newCode(t *testing.T, d *db.DB, s func(tx *db.Tx) db.Scope, recipient, code string, now time.Time, limits ...db.SendLimit) (*db.Code, error) {
	t.Helper()
	c := &db.Code{Purpose: "sign_in", Channel: db.ChannelSMS, Recipient: recipient, MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
	err := d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
		return s(tx).Codes().Create(ctx, c, code, now, limits...)
	})
	return c, err
}

func TestCodeStore_CodeWorksOnceAndIsStoredHashed(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		c, err := newCode(t, d, scope, "+14155550100", "123456", now)
		require.NoError(t, err)

		stored, err := d.ForTenant(tn.ID).Codes().Get(ctx, c.ID)
		require.NoError(t, err)
		require.NotContains(t, string(stored.CodeHash), "123456")
		require.Equal(t, db.HashCode(c.ID, "123456"), stored.CodeHash)

		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "654321", now)
		require.ErrorIs(t, err, db.ErrCodeWrong)
		got, err := d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "123456", now)
		require.NoError(t, err)
		require.Equal(t, 2, got.Attempts)
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "123456", now)
		require.ErrorIs(t, err, db.ErrCodeExpired, "a code works once")

		// Another tenant cannot check it at all.
		other := testdb.Tenant(t, d, "bravo")
		c2, err := newCode(t, d, scope, "+14155550100", "111111", now)
		require.NoError(t, err)
		_, err = d.ForTenant(other.ID).Codes().Check(ctx, c2.ID, "111111", now)
		require.ErrorIs(t, err, db.ErrCodeExpired)
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c2.ID, "111111", now)
		require.NoError(t, err)
	})
}

func TestCodeStore_ExpiresAtTheBoundary(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		c, err := newCode(t, d, scope, "a@example.com", "123456", now)
		require.NoError(t, err)
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "123456", c.ExpiresAt)
		require.ErrorIs(t, err, db.ErrCodeExpired, "at expiry the code no longer works")
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "123456", c.ExpiresAt.Add(-time.Microsecond))
		require.NoError(t, err, "just before expiry it works")
	})
}

// TestCodeStore_ConcurrentWrongGuessesAreAllCounted: 100 parallel wrong
// guesses count 100 attempts up to the cap, and the right code is refused
// afterwards (ZITADEL GHSA-7h8m-vrxx-vr4m).
func TestCodeStore_ConcurrentWrongGuessesAreAllCounted(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		c, err := newCode(t, d, scope, "+14155550100", "123456", now)
		require.NoError(t, err)

		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			results = map[error]int{}
		)
		for range 100 {
			wg.Go(func() {
				_, err := d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "000000", now)
				mu.Lock()
				results[err]++
				mu.Unlock()
			})
		}
		wg.Wait()
		require.Equal(t, 5, results[db.ErrCodeWrong], "exactly max attempts were compared")
		require.Equal(t, 95, results[db.ErrCodeLocked])

		stored, err := d.ForTenant(tn.ID).Codes().Get(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, 5, stored.Attempts)
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, "123456", now)
		require.ErrorIs(t, err, db.ErrCodeLocked, "the right code no longer works once locked")
	})
}

func TestCodeStore_SendLimitsPerRecipientHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Now()
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		limits := []db.SendLimit{{Max: 3, Window: 10 * time.Minute}, {Max: 10, Window: 24 * time.Hour}}

		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			created int
			limited int
		)
		for range 8 {
			wg.Go(func() {
				_, err := newCode(t, d, scope, "+14155550100", "123456", now, limits...)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					created++
				default:
					require.ErrorIs(t, err, db.ErrRateLimited)
					limited++
				}
			})
		}
		wg.Wait()
		require.Equal(t, 3, created)
		require.Equal(t, 5, limited)

		// Another recipient has its own allowance; the window moves on.
		_, err := newCode(t, d, scope, "+14155550101", "123456", now, limits...)
		require.NoError(t, err)
		_, err = newCode(t, d, scope, "+14155550100", "123456", now.Add(11*time.Minute), limits...)
		require.NoError(t, err, "after ten minutes the short window allows again")
	})
}

func TestCodeStore_SendingIsClaimedOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		codes := d.ForTenant(tn.ID).Codes()

		c, err := newCode(t, d, scope, "a@example.com", "123456", now)
		require.NoError(t, err)
		_, err = codes.ClaimForSending(ctx, c.ID, now)
		require.NoError(t, err)
		require.NoError(t, codes.MarkSent(ctx, c.ID, "SM123", now))
		_, err = codes.ClaimForSending(ctx, c.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound, "a sent code is not sent again")
		require.ErrorIs(t, codes.MarkSent(ctx, c.ID, "SM456", now), db.ErrNotFound)
		got, err := codes.Get(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "SM123", got.ProviderMessageID)

		failed, err := newCode(t, d, scope, "+1999", "123456", now)
		require.NoError(t, err)
		require.NoError(t, codes.MarkSendFailed(ctx, failed.ID, "invalid number", now))
		_, err = codes.ClaimForSending(ctx, failed.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound)

		expired, err := newCode(t, d, scope, "b@example.com", "123456", now)
		require.NoError(t, err)
		_, err = codes.ClaimForSending(ctx, expired.ID, expired.ExpiresAt)
		require.ErrorIs(t, err, db.ErrNotFound, "an expired code is never sent")
	})
}

func TestHit_CountsEveryConcurrentHitPerWindow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 30, 0, time.UTC)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, err := d.Hit(ctx, "ip:203.0.113.9", time.Minute, now)
				require.NoError(t, err)
			})
		}
		wg.Wait()
		n, err := d.Hit(ctx, "ip:203.0.113.9", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 21, n)
		n, err = d.Hit(ctx, "ip:203.0.113.9", time.Minute, now.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, n, "a new window starts from one")
		n, err = d.Hit(ctx, "ip:198.51.100.1", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 1, n)

		got, err := d.DeleteExpired(ctx, now.Add(3*time.Minute), 100)
		require.NoError(t, err)
		require.Equal(t, 3, got.RateCounters)
	})
}
