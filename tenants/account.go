package tenants

import (
	"fmt"
	"time"
)

// MaxDeletionGraceDays is the longest grace period a tenant may give a
// deleted account.
const MaxDeletionGraceDays = 90

// AccountPolicy is what the tenant decides about its users' own accounts.
type AccountPolicy struct {
	// DeletionGraceDays is how long an account whose owner deleted it
	// stays pending deletion (sessions ended, the owner may sign in and keep
	// it) before a job removes it. 0 removes it at once. Default 7; 0 to
	// MaxDeletionGraceDays.
	DeletionGraceDays int `json:"deletion_grace_days"`
}

// DefaultAccountPolicy returns the account policy of a new tenant.
func DefaultAccountPolicy() AccountPolicy { return AccountPolicy{DeletionGraceDays: 7} }

// DeletionGrace is the grace period as a duration.
func (a AccountPolicy) DeletionGrace() time.Duration {
	return time.Duration(a.DeletionGraceDays) * 24 * time.Hour
}

// Validate checks the account policy.
func (a AccountPolicy) Validate() error {
	if a.DeletionGraceDays < 0 || a.DeletionGraceDays > MaxDeletionGraceDays {
		return &InputError{Field: "account.deletion_grace_days", Problem: fmt.Sprintf("%d is outside 0–%d", a.DeletionGraceDays, MaxDeletionGraceDays)}
	}
	return nil
}
