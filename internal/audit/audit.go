// Package audit is the vocabulary and the one writer of a tenant's audit
// log: which events exist, who did them, and what of them is stored. Every
// service that records an event (the flow engine for sign-ins, the account
// service, the tenants service, the team and application rules, the
// management API's user changes) calls Record, inside its own transaction
// where it has one, so an event is stored if and only if what it records
// happened. The one exception is the flow engine's sign-in that issues a
// session: when Plain says storing its rows is all Record would do, it
// stores the rows Rows built with the session, in one statement.
//
// What is never stored: a secret, code, password, token or hash. Events
// carry only ids, names, method names, result codes and settings already
// redacted by the caller; Clean drops any detail whose key names a secret,
// as a second guard.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/webhook"
)

// Type names an event.
type Type string

// The event types. A sign-in's failure carries its public error code in
// Result; every other event is recorded only when it happened.
const (
	SignInSucceeded   Type = "sign_in.succeeded"
	SignInFailed      Type = "sign_in.failed"
	PasskeyAdded      Type = "passkey.added"
	PasskeyRemoved    Type = "passkey.removed"
	FactorAdded       Type = "factor.added"
	FactorRemoved     Type = "factor.removed"
	PasswordChanged   Type = "password.changed"
	IdentifierAdded   Type = "identifier.added"
	IdentifierRemoved Type = "identifier.removed"
	DeletionRequested Type = "account.deletion_requested"
	SettingsChanged   Type = "settings.changed"
	UserCreated       Type = "user.created"
	UserDisabled      Type = "user.disabled"
	UserEnabled       Type = "user.enabled"
	UserDeleted       Type = "user.deleted"
	UserMFAReset      Type = "user.mfa_reset"
	TeamInvited       Type = "team.invited"
	TeamRoleChanged   Type = "team.role_changed"
	TeamRemoved       Type = "team.removed"
	AppCreated        Type = "application.created"
	AppUpdated        Type = "application.updated"
	AppDeleted        Type = "application.deleted"
	AppSecretRotated  Type = "application.secret_rotated"
	APIKeyCreated     Type = "api_key.created"
	APIKeyRevoked     Type = "api_key.revoked"
	RecoveryUsed      Type = "recovery.used"
	SignedUp          Type = "sign_up.completed"
	SessionEnded      Type = "session.ended"
	WebhookCreated    Type = "webhook.created"
	WebhookUpdated    Type = "webhook.updated"
	WebhookDeleted    Type = "webhook.deleted"
	LogoChanged       Type = "branding.logo_changed"
	SetupLinkCreated  Type = "setup_link.created"
)

// Types lists every event type, in the order the console offers them.
var Types = []Type{
	SignInSucceeded, SignInFailed, PasskeyAdded, PasskeyRemoved, FactorAdded, FactorRemoved,
	PasswordChanged, IdentifierAdded, IdentifierRemoved, DeletionRequested, SettingsChanged,
	UserCreated, UserDisabled, UserEnabled, UserDeleted, UserMFAReset,
	TeamInvited, TeamRoleChanged, TeamRemoved,
	AppCreated, AppUpdated, AppDeleted, AppSecretRotated, APIKeyCreated, APIKeyRevoked, RecoveryUsed,
	SignedUp, SessionEnded, WebhookCreated, WebhookUpdated, WebhookDeleted, LogoChanged, SetupLinkCreated,
}

// Success is the Result of an event that happened.
const Success = "success"

// Anonymous is the actor of a sign-in attempt nobody was recognised in.
const Anonymous = "anonymous"

// UserActor, AdminActor and APIKeyActor name who did an event.
func UserActor(id uuid.UUID) string   { return "user:" + id.String() }
func AdminActor(id uuid.UUID) string  { return "admin:" + id.String() }
func APIKeyActor(id uuid.UUID) string { return "api_key:" + id.String() }

// Event is one thing to record. Empty Actor, IP and UserAgent are taken from
// the context's Origin; an empty Result is Success.
type Event struct {
	Type      Type
	User      *uuid.UUID
	Actor     string
	Method    string
	AMR       []string
	IP        string
	UserAgent string
	Result    string
	// Target is what was changed (a passkey's, application's or member's
	// id, a factor's name), "" when it is the user or the tenant itself.
	Target string
	// Before and After are what changed, without secrets (see Clean).
	Before, After map[string]any
	// Lang is the language of the page the change came from (en, es,
	// zh-CN), for the user's security notice; not stored. Empty is the
	// tenant's default language.
	Lang string
	// Silent sends no security notice for the event (a passkey created
	// while signing up); not stored.
	Silent bool
	// NewDevice marks a sign-in from a browser its user had not signed
	// in from (flows.Devices): stored as the detail "new_device", and the
	// user is told (NoticeNewSignIn) unless the tenant turned that off.
	NewDevice bool
}

// Origin is who makes the request a service runs for: the door that
// authenticated it puts it in the context (WithOrigin) and Record reads it,
// so the services need no new parameter to say who acted.
type Origin struct {
	Actor     string
	IP        string
	UserAgent string
}

type originKey struct{}

// WithOrigin returns ctx carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the context's origin; its Actor is Anonymous when none
// was set.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	if o.Actor == "" {
		o.Actor = Anonymous
	}
	return o
}

// Policy is what Record needs of the tenant (tenants.Tenant.AuditPolicy).
type Policy struct {
	// Retention is how long an event is kept (Account.AuditLogDays).
	Retention time.Duration
	// Webhooks are the event types the tenant's enabled webhook endpoints
	// want ("*": all), from the cached tenant row.
	Webhooks []string
	// Jobs enqueues their deliveries; nil records events without them.
	Jobs webhook.Inserter
	// NewSignInNotice tells a user of a sign-in from a new device
	// (Account.NewSignInNotice).
	NewSignInNotice bool
}

// Record stores events in the tenant's log of scope, in one statement, each
// kept for p.Retention after now; when a webhook endpoint of the tenant
// wants one of them (and scope is in a transaction), their deliveries are
// enqueued in the same transaction (webhook.Enqueue), and so are the
// security notices of its user (NoticeTypes).
func Record(ctx context.Context, scope db.Scope, p Policy, now time.Time, events ...Event) error {
	rows, err := Rows(ctx, p, now, events...)
	if err != nil {
		return err
	}
	return store(ctx, scope, p, rows, events)
}

// Rows are the rows Record stores for events: what an audit row holds is
// decided here, whoever executes the insert.
func Rows(ctx context.Context, p Policy, now time.Time, events ...Event) ([]*db.AuditEvent, error) {
	rows := make([]*db.AuditEvent, 0, len(events))
	for _, e := range events {
		row, err := e.row(ctx, p.Retention, now)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Plain reports whether storing rows is all Record would do with events
// under p: no webhook endpoint of the tenant wants one of them and none
// sends its user a security notice. A caller holding plain rows may store
// them in the statement of its own write (db.SessionStore.CreateWithAudit)
// instead of calling Record; otherwise it calls Record (or RecordRows).
func Plain(p Policy, rows []*db.AuditEvent, events []Event) bool {
	if webhook.Wanted(p.Webhooks, rows) {
		return false
	}
	for i, r := range rows {
		if _, due := notice(r, events[i], p); due {
			return false
		}
	}
	return true
}

// RecordRows is Record of rows built by Rows from events.
func RecordRows(ctx context.Context, scope db.Scope, p Policy, rows []*db.AuditEvent, events []Event) error {
	return store(ctx, scope, p, rows, events)
}

func store(ctx context.Context, scope db.Scope, p Policy, rows []*db.AuditEvent, events []Event) error {
	if err := scope.Audit().Record(ctx, rows...); err != nil {
		return err
	}
	if err := enqueueNotices(ctx, scope, p, rows, events); err != nil {
		return err
	}
	if !webhook.Wanted(p.Webhooks, rows) {
		return nil
	}
	return webhook.Enqueue(ctx, scope, p.Jobs, rows, p.Retention)
}

func (e Event) row(ctx context.Context, retention time.Duration, now time.Time) (*db.AuditEvent, error) {
	o := OriginFrom(ctx)
	if e.Actor == "" {
		e.Actor = o.Actor
	}
	if e.IP == "" {
		e.IP = o.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = o.UserAgent
	}
	if e.Result == "" {
		e.Result = Success
	}
	details := map[string]any{}
	if e.Target != "" {
		details["target"] = e.Target
	}
	if e.NewDevice {
		details["new_device"] = true
	}
	if b := Clean(e.Before); len(b) > 0 {
		details["before"] = b
	}
	if a := Clean(e.After); len(a) > 0 {
		details["after"] = a
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("encode audit details of %s: %w", e.Type, err)
	}
	return &db.AuditEvent{
		Type: string(e.Type), UserID: e.User, Actor: e.Actor, Method: e.Method,
		AMR: strings.Join(e.AMR, ","), IP: e.IP, UserAgent: truncate(e.UserAgent, 512),
		Result: e.Result, Details: string(raw),
		OccurredAt: now.UTC(), ExpiresAt: now.Add(retention).UTC(),
	}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
