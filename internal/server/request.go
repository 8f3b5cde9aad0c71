package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/locale"
	"github.com/sesame-id/sesame/tenants"
)

// MaxBody caps every request body Sesame reads: flow steps, WebAuthn
// responses, GraphQL queries and console requests are a few kilobytes.
const MaxBody = 64 << 10

// RequestInfo describes the client for the flows: its IP, user agent and
// the language it asked for (its choice on the hosted pages, else its
// Accept-Language). The IP is the peer's: put Sesame behind a proxy that
// rewrites the connection, not one that only sets X-Forwarded-For.
func RequestInfo(r *http.Request) flows.RequestInfo {
	return flows.RequestInfo{UserAgent: r.UserAgent(), IP: ClientIP(r), Lang: PreferredLang(r)}
}

// ClientIP is the address of the request's peer, without its port.
func ClientIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}

// PreferredLang is the language the client asked for ("" for none Sesame
// speaks): the language cookie, else Accept-Language.
func PreferredLang(r *http.Request) string {
	var cookie string
	if c, err := r.Cookie(locale.LangCookie); err == nil {
		cookie = c.Value
	}
	return locale.Preferred(cookie, r.Header.Get("Accept-Language"))
}

// LimitBody caps r's body at MaxBody; reading past it fails.
func LimitBody(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
}

// ReadJSON returns the request body, at most MaxBody bytes, which must be
// empty or valid JSON; otherwise a public invalid_input error.
func ReadJSON(w http.ResponseWriter, r *http.Request) (json.RawMessage, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return nil, flows.ErrInvalidInput.WithField("", "The request body is too large or unreadable.")
	}
	if len(b) > 0 && !json.Valid(b) {
		return nil, flows.ErrInvalidInput.WithField("", "The request body is not valid JSON.")
	}
	return b, nil
}

// DecodeJSON decodes the request body, at most MaxBody bytes, into v; on
// failure it returns a public invalid_input error naming field with
// message.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, field, message string) error {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody)).Decode(v); err != nil {
		return flows.ErrInvalidInput.WithField(field, message)
	}
	return nil
}

// WriteJSON writes v as JSON with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) { flows.WriteJSON(w, status, v) }

// Fail answers err's public form as {"error": {...}} (flows.WriteError),
// logging an error that is not public (and, at info, a public one that
// carries a cause): its text never reaches the client.
func Fail(logger *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	switch pe, ok := errcode.Public(err); {
	case !ok:
		logger.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	case err.Error() != pe.Error():
		logger.InfoContext(r.Context(), "request refused", "path", r.URL.Path, "code", pe.Code, "err", err)
	}
	flows.WriteError(w, err)
}

// TenantHandlerFunc serves a request of a tenant host, the tenant passed
// as a value.
type TenantHandlerFunc func(w http.ResponseWriter, r *http.Request, t *tenants.Tenant)

// errNoTenant is logged when a tenant handler is reached without a tenant.
var errNoTenant = errors.New("no tenant in the request context: the handler is mounted outside tenants.Router")

// WithTenant adapts f to an http.Handler that takes the tenant from the
// request's context (tenants.Router puts it there). Without one the
// handler is mounted outside the router, a wiring bug: the request is
// answered 500 internal as JSON and the bug logged, never a panic.
func WithTenant(logger *slog.Logger, f TenantHandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := tenants.FromContext(r.Context())
		if !ok {
			Fail(logger, w, r, errNoTenant)
			return
		}
		f(w, r, t)
	}
}
