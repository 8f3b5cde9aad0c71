package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/reverify"
	"github.com/sesame-id/sesame/graph/generated"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// Limits on what one request may ask.
const (
	// MaxComplexity bounds a query's cost: each field costs 1, and a list
	// costs its children times the items it may return (ListWeight, or
	// `first` for a page of users).
	MaxComplexity = 5000
	// ListWeight is how many items a list field is counted as.
	ListWeight = 5
	// MaxTokens bounds the parser's work on one query.
	MaxTokens = 5000
)

type endpoint struct {
	Deps
	srv *handler.Server
}

// NewHandler returns the POST /graphql endpoint of a tenant host; the
// tenant must be in the request's context (tenants.Router does that).
func NewHandler(d Deps) (Endpoint, error) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	d.Flows = d.Flows.WithDefaults()
	add, err := addpasskey.New(d.Flows)
	if err != nil {
		return nil, err
	}
	rev, err := reverify.New(d.Flows)
	if err != nil {
		return nil, err
	}
	r := &Resolver{Deps: d, addPasskey: add, reverify: rev}
	cfg := generated.Config{Resolvers: r}
	cfg.Directives.Auth = authDirective
	weigh(&cfg.Complexity)

	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(MaxTokens)
	srv.SetDisableSuggestion(true)
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.AroundFields(checkArguments)
	if d.Development {
		srv.Use(extension.Introspection{})
	}
	h := &endpoint{Deps: d, srv: srv}
	srv.SetErrorPresenter(h.presentError)
	srv.AroundOperations(h.requireCaller)
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		d.Logger.ErrorContext(ctx, "graphql resolver panicked", "panic", v)
		return errInternal
	})
	return h, nil
}

// weigh makes list fields cost more than scalars.
func weigh(c *generated.ComplexityRoot) {
	list := func(child int) int { return ListWeight * (child + 1) }
	c.Query.Users = func(child int, first int, _ *string, _ *string) int { return max(first, 1) * (child + 1) }
	c.Query.APIKeys = list
	c.User.Passkeys = list
	c.User.Sessions = list
	c.User.Identifiers = list
	c.Me.Passkeys = list
	c.Me.Sessions = list
	c.Me.Identifiers = list
}

// ServeHTTP serves a tenant host's /graphql. The tenant comes from the
// request's context (tenants.Router); without one the endpoint is mounted
// outside the router, a wiring bug, answered 500 internal and logged.
func (h *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		h.Logger.ErrorContext(r.Context(), "graphql request without tenant: the endpoint is mounted outside tenants.Router")
		writeError(w, errInternal)
		return
	}
	h.serveTenant(w, r, t)
}

// serveTenant serves a request of tenant t's host: the caller is an API
// key, a session or anonymous (authenticate).
func (h *endpoint) serveTenant(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if !checkMethod(w, r) {
		return
	}
	c, err := h.authenticate(r, t)
	if err != nil {
		pe, public := errcode.Public(err)
		if !public {
			h.Logger.ErrorContext(r.Context(), "graphql authentication failed", "err", err)
		}
		writeError(w, pe)
		return
	}
	limitBody(w, r, c.admin() || c.user())
	h.srv.ServeHTTP(w, r.WithContext(withCaller(r.Context(), c)))
}

// ServeConsole serves the management API of tenant t to a console
// administrator, whom the caller has authenticated (a session of the admin
// tenant, sent with the CSRF header) and found to be a member of t.
//
// role is the administrator's role in t (team.Access); a viewer's
// mutations are refused by @auth (read_only_role).
func (h *endpoint) ServeConsole(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, admin uuid.UUID, role string) {
	if !checkMethod(w, r) {
		return
	}
	limitBody(w, r, true)
	scope := h.DB.ForTenant(t.ID)
	c := &caller{tenant: t, req: server.RequestInfo(r), scope: scope, loaders: newLoaders(scope, ""), consoleAdmin: &admin, consoleRole: role}
	h.srv.ServeHTTP(w, r.WithContext(withCaller(r.Context(), c)))
}

// checkMethod refuses anything but POST; on refusal it has answered and
// returns false.
func checkMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, errcode.ErrMethodNotAllowed)
		return false
	}
	return true
}

// AdminMaxBody caps an authenticated caller's request (an API key's, the
// console's, a signed-in user's): it may carry a picture, base64-encoded
// (tenants.LogoMaxBytes or account.AvatarMaxBytes, a third larger), which
// server.MaxBody, an anonymous caller's cap, does not fit. The caller is
// authenticated before the body is read. The parser's token limit still
// bounds the work of a query.
const AdminMaxBody = 512 << 10

// limitBody caps the body: AdminMaxBody for an authenticated caller,
// known from the headers before the body is read, else server.MaxBody.
func limitBody(w http.ResponseWriter, r *http.Request, authenticated bool) {
	if authenticated {
		r.Body = http.MaxBytesReader(w, r.Body, AdminMaxBody)
		return
	}
	server.LimitBody(w, r)
}

// requireCaller runs no operation without a caller in its context: the
// resolvers read it (callerFrom), and both doors (ServeHTTP, ServeConsole)
// put one there, so a missing caller is a wiring bug, answered internal.
func (h *endpoint) requireCaller(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if _, ok := lookupCaller(ctx); !ok {
		h.Logger.ErrorContext(ctx, "graphql operation without caller")
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message: errInternal.Message, Extensions: map[string]any{"code": errInternal.Code},
		}}})
	}
	return next(ctx)
}

// Endpoint is the GraphQL endpoint: ServeHTTP for a tenant host's
// /graphql, ServeConsole for the console.
type Endpoint interface {
	http.Handler
	ServeConsole(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, admin uuid.UUID, role string)
}

// writeError answers a request refused before GraphQL ran, in GraphQL's
// response form. Only a catalogue error is written; any other is internal.
func writeError(w http.ResponseWriter, e *errcode.Error) {
	e, _ = errcode.Public(e)
	flows.WriteJSON(w, e.Status, map[string]any{"errors": []*gqlerror.Error{{
		Message: e.Message, Extensions: map[string]any{"code": e.Code},
	}}})
}
