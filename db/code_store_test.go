package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// newCode creates a code for recipient and, unless limits refuse it,
// issues it; it returns the row and the issued value.
func newCode(t *testing.T, d *db.DB, s func(tx *db.Tx) db.Scope, recipient string, now time.Time, limits ...db.SendLimit) (*db.Code, string, error) {
	t.Helper()
	c := &db.Code{Purpose: "sign_in", Channel: db.ChannelSMS, Recipient: recipient, MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
	var value string
	err := d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
		if err := s(tx).Codes().Create(ctx, c, now, limits...); err != nil {
			return err
		}
		var err error
		_, value, err = s(tx).Codes().Issue(ctx, c.ID, now)
		return err
	})
	return c, value, err
}

func TestCodeStore_CodeWorksOnceAndIsStoredHashed(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		c, value, err := newCode(t, d, scope, "+14155550100", now)
		require.NoError(t, err)
		require.Regexp(t, `^[0-9]{6}$`, value)

		stored, err := d.ForTenant(tn.ID).Codes().Get(ctx, c.ID)
		require.NoError(t, err)
		require.NotContains(t, string(stored.CodeHash), value)
		require.Equal(t, db.HashCode(c.ID, value), stored.CodeHash)

		wrong := "000000"
		if value == wrong {
			wrong = "111111"
		}
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, wrong, now)
		require.ErrorIs(t, err, db.ErrCodeWrong)
		got, err := d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, value, now)
		require.NoError(t, err)
		require.Equal(t, 2, got.Attempts)
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, value, now)
		require.ErrorIs(t, err, db.ErrCodeExpired, "a code works once")
	})
}

func TestCodeStore_ExpiresAtTheBoundary(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		tn := testdb.Tenant(t, d, "acme")
		scope := func(tx *db.Tx) db.Scope { return tx.ForTenant(tn.ID) }
		c, value, err := newCode(t, d, scope, "a@example.com", now)
		require.NoError(t, err)
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, value, c.ExpiresAt)
		require.ErrorIs(t, err, db.ErrCodeExpired, "at expiry the code no longer works")
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, value, c.ExpiresAt.Add(-time.Microsecond))
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
		c, value, err := newCode(t, d, scope, "+14155550100", now)
		require.NoError(t, err)
		wrong := "000000"
		if value == wrong {
			wrong = "111111"
		}

		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			results = map[error]int{}
		)
		for range 100 {
			wg.Go(func() {
				_, err := d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, wrong, now)
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
		_, err = d.ForTenant(tn.ID).Codes().Check(ctx, c.ID, value, now)
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
				_, _, err := newCode(t, d, scope, "+14155550100", now, limits...)
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
		_, _, err := newCode(t, d, scope, "+14155550101", now, limits...)
		require.NoError(t, err)
		_, _, err = newCode(t, d, scope, "+14155550100", now.Add(11*time.Minute), limits...)
		require.NoError(t, err, "after ten minutes the short window allows again")
	})
}

func TestCodeStore_IssuedForSendingUntilSentAndNeverChecksUnissued(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		tn := testdb.Tenant(t, d, "acme")
		codes := d.ForTenant(tn.ID).Codes()

		c := &db.Code{Purpose: "sign_in", Channel: db.ChannelEmail, Recipient: "a@example.com", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.ForTenant(tn.ID).Codes().Create(ctx, c, now)
		}))
		// Not issued yet: nothing to check, not even an attempt.
		_, err := codes.Check(ctx, c.ID, "000000", now)
		require.ErrorIs(t, err, db.ErrCodeExpired)
		got, err := codes.Get(ctx, c.ID)
		require.NoError(t, err)
		require.Zero(t, got.Attempts)

		// A job run twice issues twice; only the latest value works.
		_, first, err := codes.Issue(ctx, c.ID, now)
		require.NoError(t, err)
		_, second, err := codes.Issue(ctx, c.ID, now)
		require.NoError(t, err)
		if first != second {
			_, err = codes.Check(ctx, c.ID, first, now)
			require.ErrorIs(t, err, db.ErrCodeWrong)
		}
		require.NoError(t, codes.MarkSent(ctx, c.ID, "SM123", now))
		_, _, err = codes.Issue(ctx, c.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound, "a sent code is not issued again")
		require.ErrorIs(t, codes.MarkSent(ctx, c.ID, "SM456", now), db.ErrNotFound)
		got, err = codes.Get(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "SM123", got.ProviderMessageID)
		_, err = codes.Check(ctx, c.ID, second, now)
		require.NoError(t, err)

		failed := &db.Code{Purpose: "sign_in", Channel: db.ChannelSMS, Recipient: "+1999", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.ForTenant(tn.ID).Codes().Create(ctx, failed, now)
		}))
		require.NoError(t, codes.MarkSendFailed(ctx, failed.ID, "invalid number", now))
		_, _, err = codes.Issue(ctx, failed.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound)

		expired := &db.Code{Purpose: "sign_in", Channel: db.ChannelSMS, Recipient: "+1998", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.ForTenant(tn.ID).Codes().Create(ctx, expired, now)
		}))
		_, _, err = codes.Issue(ctx, expired.ID, expired.ExpiresAt)
		require.ErrorIs(t, err, db.ErrNotFound, "an expired code is never sent")
	})
}

func TestHit_CountsEveryConcurrentHitPerWindow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 30, 0, time.UTC)
		scope := d.ForTenant(uuid.New())
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, err := scope.Hit(ctx, "ip:203.0.113.9", time.Minute, now)
				require.NoError(t, err)
			})
		}
		wg.Wait()
		n, err := scope.Hit(ctx, "ip:203.0.113.9", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 21, n)
		n, err = scope.Hit(ctx, "ip:203.0.113.9", time.Minute, now.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, n, "a new window starts from one")
		n, err = scope.Hit(ctx, "ip:198.51.100.1", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 1, n)

		got, err := d.DeleteExpired(ctx, now.Add(3*time.Minute), 100)
		require.NoError(t, err)
		require.Equal(t, 3, got.RateCounters)
	})
}

func TestHit_InATransactionCountsOnlyWhenItCommits(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 30, 0, time.UTC)
		tenantID := uuid.New()
		errRollback := errors.New("roll back")
		err := d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			n, err := tx.ForTenant(tenantID).Hit(ctx, "user:1:password", time.Minute, now)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			n, err := tx.ForTenant(tenantID).Hit(ctx, "user:1:password", time.Minute, now)
			require.NoError(t, err)
			require.Equal(t, 1, n, "the rolled-back hit is not counted")
			return nil
		}))
		n, err := d.ForTenant(tenantID).Hit(ctx, "user:1:password", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 2, n, "the committed hit is")
	})
}

// TestHit_TenantsWithTheSameKeyCountApart: the scope puts every key under
// its tenant, so one tenant's traffic never spends another's limit.
func TestHit_TenantsWithTheSameKeyCountApart(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 30, 0, time.UTC)
		a, b := d.ForTenant(uuid.New()), d.ForTenant(uuid.New())
		for want := 1; want <= 3; want++ {
			n, err := a.Hit(ctx, "ip:203.0.113.9:code_send", time.Minute, now)
			require.NoError(t, err)
			require.Equal(t, want, n)
		}
		n, err := b.Hit(ctx, "ip:203.0.113.9:code_send", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 1, n, "tenant B's counter starts at one")
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			n, err := tx.ForTenant(b.TenantID()).Hit(ctx, "ip:203.0.113.9:code_send", time.Minute, now)
			require.NoError(t, err)
			require.Equal(t, 2, n, "a transaction's scope counts under the same tenant")
			return nil
		}))
		n, err = a.Hit(ctx, "ip:203.0.113.9:code_send", time.Minute, now)
		require.NoError(t, err)
		require.Equal(t, 4, n, "tenant A's counter is untouched by B's")
	})
}

// TestHit_RefusesAScopeWithoutATenant: a counter is never kept outside a
// tenant.
func TestHit_RefusesAScopeWithoutATenant(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		_, err := d.ForTenant(uuid.Nil).Hit(context.Background(), "code_send", time.Minute, time.Now())
		require.ErrorIs(t, err, db.ErrNoTenant)
	})
}
