package db

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// AppCacheTTL is how long a process trusts an application it read for
// Lookup. Edits through this process's stores take effect at once (they
// drop the tenant's cached applications); an edit made by another process
// (the CLI, another server) is seen within AppCacheTTL.
const AppCacheTTL = 10 * time.Second

// appCache keeps, per process, the applications the OpenID Provider reads
// on every authorization, login and token request, so that these requests
// do not read the same row again and again.
type appCache struct {
	mu      sync.Mutex
	tenants map[uuid.UUID]map[string]cachedApp
}

type cachedApp struct {
	app      OIDCApp
	loadedAt time.Time
}

func newAppCache() *appCache { return &appCache{tenants: map[uuid.UUID]map[string]cachedApp{}} }

func (c *appCache) get(tenant uuid.UUID, clientID string, now time.Time) (*OIDCApp, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tenants[tenant][clientID]
	if !ok || now.Sub(e.loadedAt) >= AppCacheTTL || now.Before(e.loadedAt) {
		return nil, false
	}
	a := e.app
	return &a, true
}

func (c *appCache) put(tenant uuid.UUID, a *OIDCApp, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	apps := c.tenants[tenant]
	if apps == nil {
		apps = map[string]cachedApp{}
		c.tenants[tenant] = apps
	}
	apps[a.ClientID] = cachedApp{app: *a, loadedAt: now}
}

// forget drops the tenant's cached applications; every edit calls it.
func (c *appCache) forget(tenant uuid.UUID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.tenants, tenant)
}

// Lookup is ByClientID through the process's application cache: a hit
// runs no statement. The provider uses it on its hot paths; anything that
// edits an application reads it with ByClientID or ByID. The returned
// application is the caller's copy.
func (as OIDCAppStore) Lookup(ctx context.Context, clientID string) (*OIDCApp, error) {
	now := time.Now()
	if a, ok := as.s.apps.get(as.s.tenant, clientID, now); ok {
		return a, nil
	}
	a, err := as.ByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	as.s.apps.put(as.s.tenant, a, now)
	return a, nil
}

// Reload is ByClientID, its answer replacing the process's cached copy:
// for a caller that has reason to think the copy is stale (a secret that
// does not match may have been rotated by another process).
func (as OIDCAppStore) Reload(ctx context.Context, clientID string) (*OIDCApp, error) {
	a, err := as.ByClientID(ctx, clientID)
	if err != nil {
		as.s.apps.forget(as.s.tenant)
		return nil, err
	}
	as.s.apps.put(as.s.tenant, a, time.Now())
	return a, nil
}
