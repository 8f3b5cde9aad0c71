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
// atomic statement (concurrent hits are all counted). The key names what
// is limited, e.g. "ip:203.0.113.9:code_send"; the scope puts it under the
// tenant ("tenant:<id>:ip:203.0.113.9:code_send"), so two tenants never
// share a counter and no caller can forget the tenant. A scope from a
// transaction counts in it: the count is kept only if the transaction
// commits (on SQLite the transaction holds the only connection). Expired
// counters are deleted by DeleteExpired.
func (s Scope) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	return hit(ctx, s.idb, "tenant:"+s.tenant.String()+":"+key, window, now)
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
