package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/errcode"
)

// signInMethods are the sign-in flow's actions that try a way of signing
// in, with their method label. The other actions (identify, the begins,
// sending a code) sign no one in and are not counted as attempts.
var signInMethods = map[string]string{
	signin.ActionPasskeyFinish:    "passkey",
	signin.ActionPassword:         "password",
	signin.ActionCodeVerify:       "code",
	signin.ActionMFAPasskeyFinish: "mfa_passkey",
	signin.ActionMFATOTP:          "mfa_totp",
	signin.ActionMFASMSVerify:     "mfa_sms",
	signin.ActionMFABackupCode:    "mfa_backup_code",
	// Setting up a factor at sign-in: the confirmation, then (with backup
	// codes) their acknowledgement, which issues the session.
	signin.ActionEnrollTOTPConfirm:    "enrol_totp",
	signin.ActionEnrollSMSVerify:      "enrol_sms",
	signin.ActionEnrollPasskeyFinish:  "enrol_passkey",
	signin.ActionEnrollBackupCodesAck: "enrol_backup_codes",
}

var _ flows.StepObserver = (*Telemetry)(nil)

// StartStep starts the step's span when tracing is on.
func (t *Telemetry) StartStep(ctx context.Context, kind, action string) context.Context {
	if t.tracer == nil {
		return ctx
	}
	ctx, _ = t.tracer.Start(ctx, "flow "+kind+" "+action, trace.WithAttributes(
		attribute.String("sesame.flow.kind", kind),
		attribute.String("sesame.flow.action", action),
	))
	return ctx
}

// EndStep counts a sign-in attempt and a step's error, and ends its span.
func (t *Telemetry) EndStep(ctx context.Context, s flows.StepOutcome) {
	code := ""
	if s.Err != nil {
		code = errorCode(s.Err)
		t.countStepError(s, code)
	}
	if s.Kind == signin.Kind {
		if method, ok := signInMethods[s.Action]; ok {
			t.countSignIn(s, method)
		}
	}
	if t.tracer == nil {
		return
	}
	span := trace.SpanFromContext(ctx)
	if s.Err != nil {
		span.SetAttributes(attribute.String("sesame.error.code", code))
		span.SetStatus(codes.Error, code)
	} else {
		span.SetAttributes(attribute.String("sesame.flow.next_state", string(s.Next)))
	}
	span.End()
}

func (t *Telemetry) countStepError(s flows.StepOutcome, code string) {
	if t.tenantLabels {
		t.stepErrors.WithLabelValues(s.Kind, s.Action, code, tenantOf(s)).Inc()
		return
	}
	t.stepErrors.WithLabelValues(s.Kind, s.Action, code).Inc()
}

func (t *Telemetry) countSignIn(s flows.StepOutcome, method string) {
	result := "other"
	switch {
	case s.Err != nil:
		result = "failure"
	case s.SignedIn:
		result = "success"
	case s.Next == signin.MFA || s.Next == signin.MFAEnroll || s.Next == signin.MFAEnrollBackupCodes:
		// A second factor is due, to pass or to set up, or its backup
		// codes to acknowledge.
		result = "second_factor"
	}
	if t.tenantLabels {
		t.signIns.WithLabelValues(method, result, tenantOf(s)).Inc()
		return
	}
	t.signIns.WithLabelValues(method, result).Inc()
}

func tenantOf(s flows.StepOutcome) string {
	if s.Tenant == nil {
		return ""
	}
	return s.Tenant.ID.String()
}

// errorCode is err's catalogue code; anything else is "internal", as the
// client is told.
func errorCode(err error) string {
	var pe *errcode.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return "internal"
}
