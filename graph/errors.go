package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// The API's own errors, in the flows' public catalogue form: a stable code
// in extensions.code and a sentence for a person.
var (
	errUnauthenticated = &flows.Error{Code: "unauthenticated", Status: http.StatusUnauthorized,
		Message: "Sign in, or send a valid API key as a Bearer token."}
	errForbidden = &flows.Error{Code: "forbidden", Status: http.StatusForbidden,
		Message: "Your credentials do not allow this. Use a management API key for the management API, or a user's session for the account API."}
	errCSRF = &flows.Error{Code: "csrf_header_missing", Status: http.StatusForbidden,
		Message: "A request signed in by cookie must carry the X-Sesame-Request header."}
	errNotFound = &flows.Error{Code: "not_found", Status: http.StatusNotFound,
		Message: "There is no such item here."}
	errSettingsChanged = &flows.Error{Code: "settings_changed", Status: http.StatusConflict,
		Message: "Someone else changed these settings since you read them. Reload them and make your change again."}
	errLastMethod = &flows.Error{Code: "last_sign_in_method", Status: http.StatusConflict,
		Message: "This is the account's last way to sign in. Add another one before removing it."}
	errMFARequired = &flows.Error{Code: "mfa_required_by_policy", Status: http.StatusConflict,
		Message: "2-step verification is required here and cannot be turned off."}
	errTooComplex = &flows.Error{Code: "query_too_complex", Status: http.StatusUnprocessableEntity,
		Message: "The query asks for too much at once. Ask for fewer items or fields per request."}
	errInternal = flows.ErrInternal
)

// presentError turns a resolver error into its public form. Errors outside
// the catalogue are logged with the request id and answered as internal,
// without detail.
func (h *endpoint) presentError(ctx context.Context, err error) *gqlerror.Error {
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Err == nil {
		// gqlgen's own (parse, validation): keep them, they describe the query.
		return gerr
	}
	out := graphql.DefaultErrorPresenter(ctx, err)
	var (
		fe       *flows.Error
		input    *tenants.InputError
		rpChange *tenants.RPIDChangeError
	)
	switch {
	case errors.As(err, &fe):
		out.Message = fe.Message
		out.Extensions = map[string]any{"code": fe.Code}
		if fe.Field == "" {
			fe = fe.WithField(argumentName(err), "")
		}
		if fe.Field != "" {
			out.Extensions["field"] = fe.Field
		}
	case errors.As(err, &rpChange):
		out.Message = fmt.Sprintf("Changing the relying-party ID from %s to %s strands %d passkey(s): their users can no longer sign in with them. Send confirmRPIDChange: true to change it anyway.", rpChange.From, rpChange.To, rpChange.Passkeys)
		out.Extensions = map[string]any{"code": "rp_id_change_needs_confirmation", "field": "passkeys.rp_id"}
	case errors.As(err, &input):
		out.Message = input.Field + ": " + input.Problem
		out.Extensions = map[string]any{"code": "invalid_input", "field": input.Field}
	case errors.Is(err, tenants.ErrSettingsChanged):
		return h.presentError(ctx, errSettingsChanged)
	case errors.Is(err, db.ErrNotFound):
		return h.presentError(ctx, errNotFound)
	default:
		h.Logger.ErrorContext(ctx, "graphql resolver failed", "path", out.Path.String(), "err", err)
		out.Message = errInternal.Message
		out.Extensions = map[string]any{"code": errInternal.Code}
	}
	return out
}
