package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Scope is the door to one tenant's rows. Every store it hands out stamps
// the tenant id on what it writes and filters by it on what it reads,
// updates and deletes, so tenant B's scope can neither see nor change
// tenant A's rows.
type Scope struct {
	idb     bun.IDB
	tenant  uuid.UUID
	dialect Dialect
	// apps is the process's application cache (OIDCAppStore.Lookup).
	apps *appCache
	// tx is the transaction the scope runs in, nil outside one; watch is
	// told of writes to tenants and domains (see tenantWritten).
	tx    *Tx
	watch *tenantWatch
	// hot is the passkey sign-in's prepared statements (hot_path.go),
	// nil on SQLite; hooks the query hooks they pass.
	hot   *hotStmts
	hooks *hooks
	// liteStmts is SQLite's prepared sign-in statements (hot_lite.go),
	// nil on PostgreSQL.
	liteStmts *liteStmts
}

// ForTenant returns the scope of tenant id.
func (d *DB) ForTenant(id uuid.UUID) Scope {
	return Scope{idb: d.bun, tenant: id, dialect: d.dialect, apps: d.apps, watch: d.watch, hot: d.hot, hooks: d.hooks, liteStmts: d.lite}
}

// ForTenant returns the scope of tenant id inside this transaction.
func (t *Tx) ForTenant(id uuid.UUID) Scope {
	return Scope{idb: t.tx, tenant: id, dialect: t.dialect, apps: t.apps, tx: t, watch: t.watch, hot: t.hot, hooks: t.hooks, liteStmts: t.lite}
}

// TenantID returns the tenant this scope is bound to.
func (s Scope) TenantID() uuid.UUID { return s.tenant }

func (s Scope) check() error {
	if s.tenant == uuid.Nil {
		return ErrNoTenant
	}
	return nil
}

// Tenant returns the scope's own tenant row.
func (s Scope) Tenant(ctx context.Context) (*Tenant, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return TenantStore{idb: s.idb, tx: s.tx, watch: s.watch}.ByID(ctx, s.tenant)
}

// UpdateSettings replaces the tenant's settings document if its version is
// still expectedVersion, and returns the new version. A stale version
// returns ErrConflict, so two admins cannot silently overwrite each other.
func (s Scope) UpdateSettings(ctx context.Context, expectedVersion int64, settings string) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	res, err := s.idb.NewUpdate().Model((*Tenant)(nil)).
		Set("settings = ?", settings).
		Set("settings_version = settings_version + 1").
		Set("updated_at = ?", time.Now().UTC()).
		Where("id = ?", s.tenant).
		Where("settings_version = ?", expectedVersion).
		Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("update settings of tenant %s: %w", s.tenant, err)
	}
	tenantWritten(s.tx, s.watch)
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Tenant(ctx); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("settings of tenant %s: %w", s.tenant, ErrConflict)
	}
	return expectedVersion + 1, nil
}

// Rename changes the tenant's display name.
func (s Scope) Rename(ctx context.Context, name string) error {
	if err := s.check(); err != nil {
		return err
	}
	res, err := s.idb.NewUpdate().Model((*Tenant)(nil)).
		Set("name = ?", name).
		Set("updated_at = ?", time.Now().UTC()).
		Where("id = ?", s.tenant).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("rename tenant %s: %w", s.tenant, err)
	}
	tenantWritten(s.tx, s.watch)
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("tenant %s: %w", s.tenant, ErrNotFound)
	}
	return nil
}

// Tx returns the transaction the scope runs in, nil outside one.
func (s Scope) Tx() *Tx { return s.tx }
