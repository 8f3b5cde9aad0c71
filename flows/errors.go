package flows

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Error is a public error: a stable code for programs, a message for
// people, and the HTTP status. It is the only error text a client ever
// sees; causes are logged, never sent.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input at fault, when one is.
	Field  string `json:"field,omitempty"`
	Status int    `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches any public error with the same code, so errors.Is holds for
// copies made by WithField.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// WithField returns a copy of e naming field.
func (e *Error) WithField(field, message string) *Error {
	c := *e
	c.Field = field
	if message != "" {
		c.Message = message
	}
	return &c
}

// The catalogue of public errors.
var (
	ErrFlowNotFound = &Error{Code: "flow_not_found", Status: http.StatusNotFound,
		Message: "This sign-in attempt has expired or does not exist. Start again."}
	ErrActionNotAllowed = &Error{Code: "action_not_allowed", Status: http.StatusConflict,
		Message: "That step is not available at this point. Start again."}
	ErrFlowChanged = &Error{Code: "flow_changed", Status: http.StatusConflict,
		Message: "This attempt was changed in another window or tab. Reload the page and try again."}
	ErrInvalidInput = &Error{Code: "invalid_input", Status: http.StatusBadRequest,
		Message: "The request is not valid."}
	ErrCeremonyMissing = &Error{Code: "passkey_request_expired", Status: http.StatusBadRequest,
		Message: "This passkey request has expired or was already used. Try again."}
	ErrPasskeyFailed = &Error{Code: "passkey_failed", Status: http.StatusUnauthorized,
		Message: "The passkey could not be verified. Try again, or use another way to sign in."}
	ErrPasskeyRegistrationFailed = &Error{Code: "passkey_registration_failed", Status: http.StatusBadRequest,
		Message: "The passkey could not be created. Try again."}
	ErrPasskeyExists = &Error{Code: "passkey_exists", Status: http.StatusConflict,
		Message: "This passkey is already registered."}
	ErrPasskeySignInDisabled = &Error{Code: "passkey_sign_in_disabled", Status: http.StatusForbidden,
		Message: "Passkey sign-in is not available here."}
	ErrPasskeyRegistrationDisabled = &Error{Code: "passkey_registration_disabled", Status: http.StatusForbidden,
		Message: "Creating passkeys is not available here."}
	ErrSSORequired = &Error{Code: "sso_required", Status: http.StatusForbidden,
		Message: "This account signs in with your organization's single sign-on, not with a passkey."}
	ErrIdentifierTaken = &Error{Code: "identifier_taken", Status: http.StatusConflict,
		Message: "An account with this identifier already exists. Sign in instead."}
	ErrUnauthenticated = &Error{Code: "unauthenticated", Status: http.StatusUnauthorized,
		Message: "Sign in first."}
	ErrReverificationRequired = &Error{Code: "reverification_required", Status: http.StatusForbidden,
		Message: "Verify it's you first with a passkey or another factor, then retry within 10 minutes."}
	ErrBadRequestOrigin = &Error{Code: "bad_request_origin", Status: http.StatusForbidden,
		Message: "Requests must come from this site's own pages."}
	ErrInvalidCredentials = &Error{Code: "invalid_credentials", Status: http.StatusUnauthorized,
		Message: "The account or password is not right. Check them and try again, or choose another way to sign in."}
	ErrTooManyAttempts = &Error{Code: "too_many_attempts", Status: http.StatusTooManyRequests,
		Message: "Too many attempts. Wait 15 minutes and try again, or choose another way to sign in."}
	ErrMethodNotAvailable = &Error{Code: "method_not_available", Status: http.StatusForbidden,
		Message: "This way to sign in is not available here. Choose another one."}
	ErrMFAEnrollmentRequired = &Error{Code: "mfa_enrollment_required", Status: http.StatusForbidden,
		Message: "This account needs 2-step verification set up before it can sign in. Ask your administrator to help you set it up."}
	ErrInvalidCode = &Error{Code: "invalid_code", Status: http.StatusUnauthorized,
		Message: "That code is not right or was already used. Enter a new code, or try another method to verify."}
	ErrCodeExpired = &Error{Code: "code_expired", Status: http.StatusUnauthorized,
		Message: "That code has expired or was already used. Send a new code."}
	ErrCodeLocked = &Error{Code: "code_locked", Status: http.StatusTooManyRequests,
		Message: "Too many wrong codes. Send a new code."}
	ErrCodeRateLimited = &Error{Code: "code_rate_limited", Status: http.StatusTooManyRequests,
		Message: "Too many codes were sent. Wait a few minutes and try again, or choose another way to sign in."}
	ErrPhoneNotAllowed = &Error{Code: "phone_not_allowed", Status: http.StatusForbidden,
		Message: "Codes cannot be sent by SMS to this phone number. Choose another way to sign in."}
	ErrCaptchaRequired = &Error{Code: "captcha_required", Status: http.StatusBadRequest,
		Message: "Complete the CAPTCHA and try again."}
	ErrCaptchaFailed = &Error{Code: "captcha_failed", Status: http.StatusForbidden,
		Message: "The CAPTCHA was not accepted. Complete it again and try again."}
	ErrCaptchaUnavailable = &Error{Code: "captcha_unavailable", Status: http.StatusServiceUnavailable,
		Message: "The CAPTCHA cannot be checked right now. Try again in a moment, or sign in with a passkey."}
	ErrSignUpClosed = &Error{Code: "sign_up_closed", Status: http.StatusForbidden,
		Message: "You cannot create an account here. Ask an administrator to invite you."}
	ErrConsoleAccessDenied = &Error{Code: "console_access_denied", Status: http.StatusForbidden,
		Message: "This account is not a console administrator."}
	ErrConsoleRoleForbidden = &Error{Code: "console_role_forbidden", Status: http.StatusForbidden,
		Message: "Your administrator role does not allow this. Ask a platform owner."}
	ErrInternal = &Error{Code: "internal", Status: http.StatusInternalServerError,
		Message: "Something went wrong on our side. Try again in a moment."}
)

// failure marks an action error after which the flow must still be saved:
// the step failed, but what it consumed (a ceremony) stays consumed.
type failure struct{ err error }

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// Fail wraps err (usually a public *Error) so that the engine saves the
// flow before returning it.
func Fail(err error) error { return &failure{err: err} }

// Public returns err's public form: the *Error it wraps, or ErrInternal.
func Public(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return ErrInternal
}

// WriteError writes err's public form as {"error": {...}}.
func WriteError(w http.ResponseWriter, err error) {
	pe := Public(err)
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
