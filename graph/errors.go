package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/errcode"
)

// The catalogue's errors the API answers with, under the names its files
// use.
var (
	errUnauthenticated = errcode.ErrUnauthenticated
	errForbidden       = errcode.ErrForbidden
	errCSRF            = errcode.ErrCSRFHeaderMissing
	errNotFound        = errcode.ErrNotFound
	errSettingsChanged = errcode.ErrSettingsChanged
	errLastMethod      = errcode.ErrLastSignInMethod
	errMFARequired     = errcode.ErrMFARequiredByPolicy
	errTooComplex      = errcode.ErrQueryTooComplex
	errInternal        = errcode.ErrInternal
)

// gqlgen's code for a query over the complexity limit, answered as
// query_too_complex.
const complexityLimitCode = "COMPLEXITY_LIMIT_EXCEEDED"

// presentError turns an error into its public form: a catalogue code in
// extensions.code (and the input at fault in extensions.field) with the
// catalogue's sentence. Errors outside the catalogue are logged with the
// request id and answered as internal, without detail.
func (h *endpoint) presentError(ctx context.Context, err error) *gqlerror.Error {
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Err == nil {
		return h.presentQueryError(ctx, gerr)
	}
	out := graphql.DefaultErrorPresenter(ctx, err)
	pe, ok := errcode.Public(err)
	if !ok && errors.Is(err, db.ErrNotFound) {
		pe, ok = errNotFound, true
	}
	switch {
	case !ok:
		h.Logger.ErrorContext(ctx, "graphql resolver failed", "path", out.Path.String(), "err", err)
	case err.Error() != pe.Error():
		h.Logger.InfoContext(ctx, "graphql request refused", "path", out.Path.String(), "code", pe.Code, "err", err)
	}
	out.Message = pe.Message
	out.Extensions = map[string]any{"code": pe.Code}
	field := pe.Field
	if field == "" && ok {
		field = argumentName(err)
	}
	if field != "" {
		out.Extensions["field"] = field
	}
	if pe.Params != nil {
		out.Extensions["params"] = pe.Params
	}
	return out
}

// presentQueryError keeps gqlgen's own errors (parse, validation), whose
// sentences describe the query, when their code is the catalogue's; the
// complexity limit's becomes query_too_complex, and any other is logged
// and answered as internal.
func (h *endpoint) presentQueryError(ctx context.Context, gerr *gqlerror.Error) *gqlerror.Error {
	code, _ := gerr.Extensions["code"].(string)
	if _, ok := errcode.Lookup(code); ok {
		return gerr
	}
	pe := errTooComplex
	if code != complexityLimitCode {
		h.Logger.ErrorContext(ctx, "graphql error outside the catalogue", "code", code, "err", gerr)
		pe = errInternal
	}
	out := *gerr
	out.Message = pe.Message
	out.Extensions = map[string]any{"code": pe.Code}
	return &out
}
