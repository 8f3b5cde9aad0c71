package signin

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
)

// audit logs one authentication attempt: tenant, user when known, method,
// result and client IP, and never a secret; a success from a browser
// without the user's device cookie is marked NewDevice.
func (a *actions) audit(ctx context.Context, step *flows.Step[Context], method string, user *uuid.UUID, result string) {
	attrs := []any{"tenant", step.Tenant.Slug, "method", method, "result", result, "ip", step.Request.IP}
	if user != nil {
		attrs = append(attrs, "user", user.String())
	}
	a.Logger.InfoContext(ctx, "authentication attempt", attrs...)
	if e, ok := signInEvent(step, method, user, result); ok {
		if e.Type == audit.SignInSucceeded && user != nil && !noDeviceNotice(ctx) {
			// The device cookie is read from the request: no statement.
			e.NewDevice = !a.Devices.Known(step.Tenant.ID, *user, step.Request.Device)
		}
		step.Record(e)
	}
}

// progress are the results of a step that neither signed in nor failed
// (a code went out, a second factor is due or is to be set up): logged,
// not in the audit log.
var progress = map[string]bool{"code_sent": true, "mfa_required": true, "mfa_enrollment": true, "unverified_identifier_released": true}

// signInEvent is the audit event of an attempt's result: a success with
// the new session's methods, or a failure with its public code.
func signInEvent(step *flows.Step[Context], method string, user *uuid.UUID, result string) (audit.Event, bool) {
	if progress[result] {
		return audit.Event{}, false
	}
	e := audit.Event{Type: audit.SignInFailed, User: user, Method: method, Result: result}
	if result == audit.Success {
		e.Type = audit.SignInSucceeded
		if step.Session != nil {
			e.AMR = strings.Split(step.Session.Session.AMR, ",")
		}
	}
	return e, true
}

type noDeviceNoticeKey struct{}

// withoutDeviceNotice marks a sign-in whose user no message can reach
// (db.User.Unreachable): its success is not marked NewDevice, so no
// security notice is queued for nobody, and the event is stored with the
// session in one statement where the engine can.
func withoutDeviceNotice(ctx context.Context) context.Context {
	return context.WithValue(ctx, noDeviceNoticeKey{}, true)
}

func noDeviceNotice(ctx context.Context) bool {
	v, _ := ctx.Value(noDeviceNoticeKey{}).(bool)
	return v
}
