package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// rateCounter is one fixed-window counter.
type rateCounter struct {
	Key         string    `bun:"key,pk"`
	WindowStart time.Time `bun:"window_start,pk"`
	Count       int       `bun:"count,notnull"`
	ExpiresAt   time.Time `bun:"expires_at,notnull"`
}

// Hit counts one event for key in the fixed window of the given length
// that contains now, and returns the count so far in that window, in one
// atomic statement (concurrent hits are all counted). Keys name what is
// limited and include the tenant where it matters, e.g.
// "tenant:<id>:ip:203.0.113.9:code_send". Expired counters are deleted by
// DeleteExpired.
func (d *DB) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	return hit(ctx, d.bun, key, window, now)
}

// Hit is DB.Hit inside the transaction: the count is kept only if the
// transaction commits. Code holding a transaction counts with it (on
// SQLite the transaction holds the only connection).
func (t *Tx) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	return hit(ctx, t.tx, key, window, now)
}

func hit(ctx context.Context, idb bun.IDB, key string, window time.Duration, now time.Time) (int, error) {
	if window <= 0 {
		return 0, fmt.Errorf("rate counter %s: window must be positive", key)
	}
	start := now.UTC().Truncate(window)
	c := &rateCounter{Key: key, WindowStart: start, Count: 1, ExpiresAt: start.Add(window)}
	var n int
	err := idb.NewInsert().Model(c).ModelTableExpr("rate_counters").
		On("CONFLICT (key, window_start) DO UPDATE").
		Set("count = rate_counters.count + 1").
		Returning("count").
		Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", key, err)
	}
	return n, nil
}
