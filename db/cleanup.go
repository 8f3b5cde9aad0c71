package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Expired counts the rows DeleteExpired removed, per table.
type Expired struct {
	Flows        int
	Sessions     int
	Codes        int
	RateCounters int
	// Audit counts audit events past their tenant's retention, and
	// webhook deliveries as old.
	Audit int
	// OIDC counts expired authorization requests, access and refresh
	// tokens and session participations (the largest of the batches).
	OIDC int
	// SAML counts expired records of accepted SAML assertions.
	SAML int
	// RecoveryLinks counts expired administrators' recovery links, used
	// or not.
	RecoveryLinks int
}

// Total returns the number of rows removed.
func (e Expired) Total() int {
	return e.Flows + e.Sessions + e.Codes + e.RateCounters + e.OIDC + e.SAML + e.Audit + e.RecoveryLinks
}

// Full reports whether any table filled its batch, so more may be left.
func (e Expired) Full(batch int) bool {
	return e.Flows >= batch || e.Sessions >= batch || e.Codes >= batch || e.RateCounters >= batch || e.OIDC >= batch || e.SAML >= batch || e.Audit >= batch || e.RecoveryLinks >= batch
}

// DeleteExpired removes rows whose expiry is before now, across all
// tenants, at most batch rows per table per call (so one call holds locks
// briefly; the cleanup job calls again while a batch comes back full). It is
// maintenance, not a tenant operation, and so lives on *DB rather than on a
// Scope.
func (d *DB) DeleteExpired(ctx context.Context, now time.Time, batch int) (Expired, error) {
	if batch <= 0 {
		return Expired{}, fmt.Errorf("delete expired rows: batch must be positive, got %d", batch)
	}
	var out Expired
	var err error
	if out.Flows, err = deleteExpired(ctx, d.bun, (*Flow)(nil), "flows", now, batch); err != nil {
		return out, err
	}
	if out.Sessions, err = deleteExpired(ctx, d.bun, (*Session)(nil), "sessions", now, batch); err != nil {
		return out, err
	}
	if out.Codes, err = deleteExpired(ctx, d.bun, (*Code)(nil), "verification_codes", now, batch); err != nil {
		return out, err
	}
	if out.Audit, err = deleteExpired(ctx, d.bun, (*AuditEvent)(nil), "audit_events", now, batch); err != nil {
		return out, err
	}
	n, err := deleteExpired(ctx, d.bun, (*WebhookDelivery)(nil), "webhook_deliveries", now, batch)
	if err != nil {
		return out, err
	}
	out.Audit = max(out.Audit, n)
	if out.OIDC, err = d.deleteExpiredOIDC(ctx, now, batch); err != nil {
		return out, err
	}
	if out.SAML, err = d.deleteExpiredSAMLAssertions(ctx, now, batch); err != nil {
		return out, err
	}
	if out.RecoveryLinks, err = deleteExpired(ctx, d.bun, (*RecoveryLink)(nil), "recovery_links", now, batch); err != nil {
		return out, err
	}
	// Rate counters have a composite key: delete by expiry directly.
	res, err := d.bun.NewDelete().TableExpr("rate_counters").
		Where("expires_at < ?", now.UTC()).Exec(ctx)
	if err != nil {
		return out, fmt.Errorf("delete expired rate counters: %w", err)
	}
	rc, _ := res.RowsAffected()
	out.RateCounters = int(rc)
	return out, nil
}

func deleteExpired(ctx context.Context, idb bun.IDB, model any, table string, now time.Time, batch int) (int, error) {
	ids := idb.NewSelect().Model(model).Column("id").
		Where("expires_at < ?", now.UTC()).
		Order("expires_at").
		Limit(int64(batch))
	res, err := idb.NewDelete().Model(model).Where("id IN (?)", ids).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete expired %s: %w", table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired %s: %w", table, err)
	}
	return int(n), nil
}
