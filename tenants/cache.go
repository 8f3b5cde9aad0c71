package tenants

import (
	"sync"
	"time"

	"github.com/sesame-id/sesame/db"
)

// The tenant cache: every request on a tenant host resolves its tenant, so
// a process keeps what Resolve found (the parsed tenant by its slug or
// custom hostname, and, for a short time, that a host names no tenant)
// and serves it without a statement or a settings parse.
//
// It holds only while nothing changed: each entry belongs to the
// db.TenantVersion it was read under, and the first Resolve that finds
// another version empties the cache. The version moves when this process
// commits a write to tenants or domains (at once) and when any process
// does (within db.TenantMaxStaleness), so a settings change, a new tenant
// or a domain added or removed anywhere is seen everywhere within a
// second. An answer read under an older version is not kept, so a read
// that raced a change cannot outlive it.
//
// A cached *Tenant is shared by every request that resolves it: callers
// must not modify it (copy it, as the settings mutation does, and replace
// what they change rather than editing a list or map in place).
const (
	// negativeTTL is how long "no such tenant" is kept; a change also
	// drops it at once.
	negativeTTL = 5 * time.Second
	// negativeMax caps the "no such tenant" answers kept, since any Host
	// header a client sends is a key.
	negativeMax = 4096
)

type tenantCache struct {
	mu        sync.RWMutex
	version   db.TenantVersion
	entries   map[string]cacheEntry
	negatives int       // entries that are negatives, expired ones included
	swept     time.Time // when expired negatives were last dropped
}

// cacheEntry is a tenant, or nil for a host that names none, kept until
// expires (negatives only).
type cacheEntry struct {
	tenant  *Tenant
	expires time.Time
}

func newTenantCache() *tenantCache { return &tenantCache{entries: map[string]cacheEntry{}} }

// get returns the entry for key under version v. A different version
// empties the cache first.
func (c *tenantCache) get(v db.TenantVersion, key string, now time.Time) (cacheEntry, bool) {
	c.mu.RLock()
	if c.version == v {
		e, ok := c.entries[key]
		c.mu.RUnlock()
		if ok && e.tenant == nil && !now.Before(e.expires) {
			return cacheEntry{}, false
		}
		return e, ok
	}
	c.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		c.version = v
		c.entries = map[string]cacheEntry{}
		c.negatives = 0
	}
	return cacheEntry{}, false
}

// put keeps t (nil: no tenant) for key if it was read under the cache's
// current version.
func (c *tenantCache) put(v db.TenantVersion, key string, t *Tenant, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		return
	}
	if t != nil {
		c.entries[key] = cacheEntry{tenant: t}
		return
	}
	if old, ok := c.entries[key]; ok && old.tenant == nil {
		c.entries[key] = cacheEntry{expires: now.Add(negativeTTL)}
		return
	}
	if c.negatives >= negativeMax && now.Sub(c.swept) >= negativeTTL {
		c.sweep(now)
	}
	if c.negatives >= negativeMax {
		return
	}
	c.negatives++
	c.entries[key] = cacheEntry{expires: now.Add(negativeTTL)}
}

// sweep drops expired negatives; put calls it when they fill the cap, at
// most once per negativeTTL.
func (c *tenantCache) sweep(now time.Time) {
	c.swept = now
	for k, e := range c.entries {
		if e.tenant == nil && !now.Before(e.expires) {
			delete(c.entries, k)
			c.negatives--
		}
	}
}
