package audit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
)

// NoticeTypes are the events that send their user a security notice
// (jobs.SecurityNoticeWorker): a change to how they sign in.
var NoticeTypes = []Type{PasskeyAdded, PasskeyRemoved, FactorAdded, FactorRemoved, RecoveryUsed}

// NoticeNewSignIn is the notice of a sign-in from a new device (a
// sign_in.succeeded event with NewDevice), as NoticeArgs.Event.
const NoticeNewSignIn = "new_sign_in"

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
	// UserAgent, IP and At describe a new sign-in (NoticeNewSignIn): the
	// browser's user-agent string, which the job words as browser and
	// system, its address and the time.
	UserAgent string    `json:"user_agent,omitempty"`
	IP        string    `json:"ip,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// Kind identifies the job in River's tables.
func (NoticeArgs) Kind() string { return "security_notice" }

// InsertOpts retries a notice a few times on the default queue.
func (NoticeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "default", MaxAttempts: 8}
}

// enqueueNotices inserts a notice job for each of rows that warrants one
// (a change in NoticeTypes; a sign-in from a new device when p says so),
// in the scope's transaction (none outside one or without jobs): one
// statement when some row does, none otherwise.
func enqueueNotices(ctx context.Context, scope db.Scope, p Policy, rows []*db.AuditEvent, events []Event) error {
	tx := scope.Tx()
	if p.Jobs == nil || tx == nil {
		return nil
	}
	var params []river.InsertManyParams
	for i, r := range rows {
		if args, ok := notice(r, events[i], p); ok {
			params = append(params, river.InsertManyParams{Args: args})
		}
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := p.Jobs.InsertManyTx(ctx, tx.SQL(), params); err != nil {
		return fmt.Errorf("enqueue security notices: %w", err)
	}
	return nil
}

// notice is the security notice row r of event e sends its user, if any:
// the NoticeTypes' own, and a sign-in from a device that did not know the
// user (Event.NewDevice) while the tenant sends those (p.NewSignInNotice).
// enqueueNotices and Plain both decide by it.
func notice(r *db.AuditEvent, e Event, p Policy) (NoticeArgs, bool) {
	if e.Silent || r.UserID == nil || r.Result != Success {
		return NoticeArgs{}, false
	}
	args := NoticeArgs{TenantID: r.TenantID, UserID: *r.UserID, Event: r.Type, Target: e.Target, Lang: e.Lang}
	switch {
	case slices.Contains(NoticeTypes, Type(r.Type)):
		return args, true
	case Type(r.Type) == SignInSucceeded && e.NewDevice && p.NewSignInNotice:
		args.Event, args.UserAgent, args.IP, args.At = NoticeNewSignIn, r.UserAgent, r.IP, r.OccurredAt
		return args, true
	}
	return NoticeArgs{}, false
}
