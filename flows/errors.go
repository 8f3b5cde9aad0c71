package flows

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
)

// Error is a public error of the catalogue (internal/errcode): a stable
// code, a message, the HTTP status.
type Error = errcode.Error

// The public errors the flows use, named here as well as in errcode so that
// flows.ErrX reads as before.
var (
	ErrFlowNotFound                = errcode.ErrFlowNotFound
	ErrActionNotAllowed            = errcode.ErrActionNotAllowed
	ErrFlowChanged                 = errcode.ErrFlowChanged
	ErrInvalidInput                = errcode.ErrInvalidInput
	ErrCeremonyMissing             = errcode.ErrCeremonyMissing
	ErrPasskeyFailed               = errcode.ErrPasskeyFailed
	ErrPasskeyUnknown              = errcode.ErrPasskeyUnknown
	ErrPasskeyNotAllowed           = errcode.ErrPasskeyNotAllowed
	ErrPasskeyRegistrationFailed   = errcode.ErrPasskeyRegistrationFailed
	ErrPasskeyExists               = errcode.ErrPasskeyExists
	ErrPasskeySignInDisabled       = errcode.ErrPasskeySignInDisabled
	ErrPasskeyRegistrationDisabled = errcode.ErrPasskeyRegistrationDisabled
	ErrSSORequired                 = errcode.ErrSSORequired
	ErrIdentifierTaken             = errcode.ErrIdentifierTaken
	ErrUnauthenticated             = errcode.ErrUnauthenticated
	ErrReverificationRequired      = errcode.ErrReverificationRequired
	ErrBadRequestOrigin            = errcode.ErrBadRequestOrigin
	ErrInvalidCredentials          = errcode.ErrInvalidCredentials
	ErrTooManyAttempts             = errcode.ErrTooManyAttempts
	ErrMethodNotAvailable          = errcode.ErrMethodNotAvailable
	ErrMFAEnrollmentRequired       = errcode.ErrMFAEnrollmentRequired
	ErrInvalidCode                 = errcode.ErrInvalidCode
	ErrCodeExpired                 = errcode.ErrCodeExpired
	ErrCodeLocked                  = errcode.ErrCodeLocked
	ErrCodeRateLimited             = errcode.ErrCodeRateLimited
	ErrPhoneNotAllowed             = errcode.ErrPhoneNotAllowed
	ErrCaptchaRequired             = errcode.ErrCaptchaRequired
	ErrCaptchaFailed               = errcode.ErrCaptchaFailed
	ErrCaptchaUnavailable          = errcode.ErrCaptchaUnavailable
	ErrSignUpClosed                = errcode.ErrSignUpClosed
	ErrConsoleAccessDenied         = errcode.ErrConsoleAccessDenied
	ErrConsoleRoleForbidden        = errcode.ErrConsoleRoleForbidden
	ErrInternal                    = errcode.ErrInternal
)

// failure marks an action error after which the flow must still be saved:
// the step failed, but what it consumed (a ceremony) stays consumed.
type failure struct {
	err error
	// events are the step's audit events, written after a rollback
	// (keepEvents).
	events []audit.Event
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// Fail wraps err (usually a public *Error) so that the engine saves the
// flow before returning it.
func Fail(err error) error { return &failure{err: err} }

// Public returns err's public form: the catalogue error it carries, or
// ErrInternal (errcode.Public).
func Public(err error) *Error {
	pe, _ := errcode.Public(err)
	return pe
}

// WriteError writes err's public form as {"error": {...}}. Only catalogue
// errors leave: any other error is sent as ErrInternal, so callers log err
// first when errcode.Public reports it was not public.
func WriteError(w http.ResponseWriter, err error) {
	pe, _ := errcode.Public(err)
	WriteJSON(w, pe.Status, map[string]any{"error": pe})
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Failed reports whether err was marked with Fail: what the work before
// it did (an attempt counted, a ceremony consumed) must still be committed.
func Failed(err error) bool {
	var f *failure
	return errors.As(err, &f)
}
