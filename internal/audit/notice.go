package audit

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/webhook"
)

// NoticeTypes are the events that send their user a security notice
// (jobs.SecurityNoticeWorker): a change to how they sign in.
var NoticeTypes = []Type{PasskeyAdded, PasskeyRemoved, FactorAdded, FactorRemoved, RecoveryUsed}

// NoticeArgs is the job that tells a user of a security event by email, or
// by SMS where a verified phone is their only channel. It carries ids and
// the event's type and target only (never a secret): the job reads the
// user's addresses and the tenant's language when it runs.
type NoticeArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	UserID   uuid.UUID `json:"user_id"`
	Event    string    `json:"event"`
	// Target is the event's target (a factor's name: totp, sms,
	// backup_codes), "" for a passkey.
	Target string `json:"target,omitempty"`
	// Lang is the event's Lang: the message's language, "" for the
	// tenant's default.
	Lang string `json:"lang,omitempty"`
}

// Kind identifies the job in River's tables.
func (NoticeArgs) Kind() string { return "security_notice" }

// InsertOpts retries a notice a few times on the default queue.
func (NoticeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "default", MaxAttempts: 8}
}

// enqueueNotices inserts a notice job for each of rows that warrants one,
// in the scope's transaction (none outside one or without jobs): one
// statement when some row does, none otherwise.
func enqueueNotices(ctx context.Context, scope db.Scope, jobs webhook.Inserter, rows []*db.AuditEvent, events []Event) error {
	tx := scope.Tx()
	if jobs == nil || tx == nil {
		return nil
	}
	var params []river.InsertManyParams
	for i, r := range rows {
		if !noticeDue(r, events[i]) {
			continue
		}
		params = append(params, river.InsertManyParams{Args: NoticeArgs{TenantID: r.TenantID, UserID: *r.UserID, Event: r.Type, Target: events[i].Target, Lang: events[i].Lang}})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := jobs.InsertManyTx(ctx, tx.SQL(), params); err != nil {
		return fmt.Errorf("enqueue security notices: %w", err)
	}
	return nil
}

// noticeDue is whether row r of event e sends its user a security notice.
func noticeDue(r *db.AuditEvent, e Event) bool {
	return !e.Silent && r.UserID != nil && r.Result == Success && slices.Contains(NoticeTypes, Type(r.Type))
}
