package tenants

import (
	"time"
)

// MaxDeletionGraceDays is the longest grace period a tenant may give a
// deleted account.
const MaxDeletionGraceDays = 90

// MaxAuditLogDays is the longest a tenant may keep its audit log: ten years.
const MaxAuditLogDays = 3650

// AccountPolicy is what the tenant decides about its users' own accounts.
type AccountPolicy struct {
	// DeletionGraceDays is how long an account whose owner deleted it
	// stays pending deletion (sessions ended, the owner may sign in and keep
	// it) before a job removes it. 0 removes it at once. Default 7; 0 to
	// MaxDeletionGraceDays.
	DeletionGraceDays int `json:"deletion_grace_days"`
	// AuditLogDays is how long an audit event is kept before the cleanup
	// job removes it; fixed on each event when it is written, so a change
	// applies to the events that follow. Default 90; 1 to MaxAuditLogDays.
	AuditLogDays int `json:"audit_log_days"`
	// NewSignInNotice tells a user by email (or SMS) when they sign in
	// from a browser they had not signed in from before (flows.Devices).
	// Default true.
	NewSignInNotice bool `json:"new_sign_in_notice"`
}

// DefaultAccountPolicy returns the account policy of a new tenant.
func DefaultAccountPolicy() AccountPolicy {
	return AccountPolicy{DeletionGraceDays: 7, AuditLogDays: 90, NewSignInNotice: true}
}

// DeletionGrace is the grace period as a duration.
func (a AccountPolicy) DeletionGrace() time.Duration {
	return time.Duration(a.DeletionGraceDays) * 24 * time.Hour
}

// AuditRetention is how long an audit event is kept, as a duration.
func (a AccountPolicy) AuditRetention() time.Duration {
	return time.Duration(a.AuditLogDays) * 24 * time.Hour
}

// Validate checks the account policy.
func (a AccountPolicy) Validate() error {
	if a.DeletionGraceDays < 0 || a.DeletionGraceDays > MaxDeletionGraceDays {
		return outside("account.deletion_grace_days", a.DeletionGraceDays, 0, MaxDeletionGraceDays, "")
	}
	if a.AuditLogDays < 1 || a.AuditLogDays > MaxAuditLogDays {
		return outside("account.audit_log_days", a.AuditLogDays, 1, MaxAuditLogDays, "")
	}
	return nil
}
