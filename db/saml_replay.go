package db

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SAMLReplayStore records the SAML assertions a tenant accepted, so that
// each is accepted once (internal/samlsp's ReplayStore). An assertion is
// remembered until the moment the service provider would refuse it anyway
// (its NotOnOrAfter with the allowed skew); after that its row may be
// taken again, and the cleanup job deletes it.
type SAMLReplayStore struct {
	s   Scope
	now func() time.Time
}

// SAMLReplay returns the tenant's assertion replay store; now is the clock
// that decides whether a remembered assertion has expired.
func (s Scope) SAMLReplay(now func() time.Time) SAMLReplayStore {
	return SAMLReplayStore{s: s, now: now}
}

// maxAssertionID bounds the ID stored: xs:ID values from real identity
// providers are a few dozen characters.
const maxAssertionID = 512

// Remember records assertionID until the given time in one atomic
// statement and reports whether it was fresh: true for the one caller
// that recorded it, false for every other caller while the record lasts,
// however many race. A record whose time has passed is taken over.
func (r SAMLReplayStore) Remember(ctx context.Context, assertionID string, until time.Time) (bool, error) {
	if err := r.s.check(); err != nil {
		return false, err
	}
	if assertionID == "" || len(assertionID) > maxAssertionID {
		return false, errors.New("remember SAML assertion: the ID is empty or too long")
	}
	res, err := r.s.idb.NewRaw(`INSERT INTO saml_assertions (tenant_id, assertion_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, assertion_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE saml_assertions.expires_at <= ?`,
		r.s.tenant, assertionID, until.UTC(), r.now().UTC()).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("remember SAML assertion: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("remember SAML assertion: %w", err)
	}
	return n == 1, nil
}

// deleteExpiredSAMLAssertions removes at most batch assertions whose time
// has passed, across all tenants (DB.DeleteExpired).
func (d *DB) deleteExpiredSAMLAssertions(ctx context.Context, now time.Time, batch int) (int, error) {
	res, err := d.bun.NewRaw(`DELETE FROM saml_assertions WHERE (tenant_id, assertion_id) IN
		(SELECT tenant_id, assertion_id FROM saml_assertions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
		now.UTC(), batch).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete expired SAML assertions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired SAML assertions: %w", err)
	}
	return int(n), nil
}
