package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// How this process learns that tenants or domains changed, for the tenant
// cache in package tenants.
//
// Every statement that writes tenants or domains bumps the one row of
// tenant_changes by trigger, in its own transaction (migration
// 20261204090000_tenant_changes), whoever runs it: this process, another
// server, the CLI. A process reads that epoch every TenantPollInterval in
// the background while it serves requests, and a request finds it in
// memory: the hot path runs no statement. A write through this process's
// stores is also counted in memory once committed, so this process sees
// its own changes at once, not a poll later.
//
// The same code runs on PostgreSQL and SQLite (several processes on one
// SQLite file included); no notification channel is needed. LISTEN/NOTIFY
// would need a dedicated connection per process with its own reconnects
// and still a poll behind it for the moments it is down, for a gain of at
// most one poll interval.
const (
	// TenantPollInterval is how often a serving process reads the epoch.
	TenantPollInterval = 200 * time.Millisecond
	// TenantMaxStaleness bounds how old a process's view may be: a request
	// that finds the last successful read older than this (the poller is
	// idle, late or failing) reads the epoch itself, one small statement,
	// before trusting any cached tenant. So a change made anywhere is seen
	// everywhere within TenantMaxStaleness plus one read.
	TenantMaxStaleness = 800 * time.Millisecond
	// tenantIdleAfter stops the poll in a process that has had no request
	// for this long; the next request reads the epoch itself.
	tenantIdleAfter = 10 * time.Second
)

// TenantVersion names what this process knows of tenants and domains:
// Remote is the database's epoch as last read, Local counts the writes
// this process committed since. Whenever either differs from a cache's,
// the cache is out of date.
type TenantVersion struct{ Local, Remote int64 }

// tenantWatch is the per-DB state behind TenantVersion.
type tenantWatch struct {
	local   atomic.Int64
	remote  atomic.Int64
	checked atomic.Int64 // mono() when the latest successful read began; 0: never
	used    atomic.Int64 // mono() of the latest TenantVersion
	start   sync.Once
	read    sync.Mutex // one read of the epoch at a time
	stop    chan struct{}
	closed  sync.Once
}

var processStart = time.Now()

// errClosed answers TenantVersion after Close: what a closed DB knows of
// tenants is no longer kept up to date.
var errClosed = errors.New("tenant changes: database is closed")

// mono is a monotonic clock reading, never 0.
func mono() int64 { return int64(time.Since(processStart)) + 1 }

func newTenantWatch() *tenantWatch { return &tenantWatch{stop: make(chan struct{})} }

// wrote records a committed write to tenants or domains in this process.
// The write also moved the database's epoch (by trigger), so the next
// TenantVersion reads it at once: the local and the remote count then move
// together and a cache is emptied once for the write, not a second time
// when the poll would have read the epoch it moved.
func (w *tenantWatch) wrote() {
	if w != nil {
		w.local.Add(1)
		w.checked.Store(0)
	}
}

// close stops the poller; Close calls it.
func (w *tenantWatch) close() { w.closed.Do(func() { close(w.stop) }) }

// tenantWritten marks a write to tenants or domains: reported at once
// outside a transaction, at commit inside one (tx non-nil).
func tenantWritten(tx *Tx, w *tenantWatch) {
	if tx != nil {
		tx.touched = true
		return
	}
	w.wrote()
}

// TenantVersion returns this process's view of tenants and domains, fresh
// within TenantMaxStaleness. It costs no statement while the background
// poll keeps up; otherwise it reads the epoch under ctx (one statement,
// shared by concurrent callers). The first call starts the poll, which
// ends with Close.
func (d *DB) TenantVersion(ctx context.Context) (TenantVersion, error) {
	w := d.watch
	select {
	case <-w.stop:
		return TenantVersion{}, errClosed
	default:
	}
	now := mono()
	w.used.Store(now)
	w.start.Do(func() { go d.pollTenantEpoch() })
	if c := w.checked.Load(); c == 0 || now-c > int64(TenantMaxStaleness) {
		if err := d.readTenantEpoch(ctx, now); err != nil {
			return TenantVersion{}, err
		}
	}
	return TenantVersion{Local: w.local.Load(), Remote: w.remote.Load()}, nil
}

// readTenantEpoch reads the epoch unless a read that began at or after
// since already succeeded (a concurrent caller's).
func (d *DB) readTenantEpoch(ctx context.Context, since int64) error {
	w := d.watch
	w.read.Lock()
	defer w.read.Unlock()
	if w.checked.Load() >= since {
		return nil
	}
	began := mono()
	var epoch int64
	err := d.bun.NewSelect().Table("tenant_changes").Column("epoch").Where("id = 1").Scan(ctx, &epoch)
	if err != nil {
		return fmt.Errorf("read tenant changes: %w", err)
	}
	w.remote.Store(epoch)
	w.checked.Store(began)
	return nil
}

// pollTenantEpoch reads the epoch every TenantPollInterval while the
// process serves requests, until Close. A failed read is retried at the
// next tick; meanwhile requests read it themselves once it is stale.
func (d *DB) pollTenantEpoch() {
	w := d.watch
	tick := time.NewTicker(TenantPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
		}
		if mono()-w.used.Load() > int64(tenantIdleAfter) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), TenantMaxStaleness)
		_ = d.readTenantEpoch(ctx, mono())
		cancel()
	}
}
