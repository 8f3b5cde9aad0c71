package graph

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/reverify"
	"github.com/sesame-id/sesame/graph/generated"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/errcode"
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
	// MaxBody bounds a request body.
	MaxBody = 64 << 10
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
	fd := d.Flows
	fd.DB, fd.Passkeys, fd.Clock, fd.Logger = d.DB, d.Passkeys, d.Clock, d.Logger
	d.Flows = fd
	add, err := addpasskey.New(fd)
	if err != nil {
		return nil, err
	}
	rev, err := reverify.New(fd)
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

func (h *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, errcode.ErrMethodNotAllowed)
		return
	}
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		panic("graph: request without tenant")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	c, err := h.authenticate(r, t)
	if err != nil {
		pe, public := errcode.Public(err)
		if !public {
			h.Logger.ErrorContext(r.Context(), "graphql authentication failed", "err", err)
		}
		writeError(w, pe)
		return
	}
	h.srv.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
}

// ServeConsole serves the management API of tenant t to a console
// administrator, whom the caller has authenticated (a session of the admin
// tenant, sent with the CSRF header) and found to be a member of t. The
// request's context must hold t.
func (h *endpoint) ServeConsole(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, admin uuid.UUID) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, errcode.ErrMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	scope := h.DB.ForTenant(t.ID)
	c := &caller{tenant: t, req: requestInfo(r), scope: scope, loaders: newLoaders(scope, ""), consoleAdmin: &admin}
	h.srv.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
}

// Endpoint is the GraphQL endpoint: ServeHTTP for a tenant host's
// /graphql, ServeConsole for the console.
type Endpoint interface {
	http.Handler
	ServeConsole(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, admin uuid.UUID)
}

// writeError answers a request refused before GraphQL ran, in GraphQL's
// response form. Only a catalogue error is written; any other is internal.
func writeError(w http.ResponseWriter, e *errcode.Error) {
	e, _ = errcode.Public(e)
	flows.WriteJSON(w, e.Status, map[string]any{"errors": []*gqlerror.Error{{
		Message: e.Message, Extensions: map[string]any{"code": e.Code},
	}}})
}

// requestInfo describes the client, as the flows see it.
func requestInfo(r *http.Request) flows.RequestInfo {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	// The account center's language, for the codes it asks for.
	var cookie string
	if c, err := r.Cookie(console.LangCookie); err == nil {
		cookie = c.Value
	}
	return flows.RequestInfo{UserAgent: r.UserAgent(), IP: ip, Lang: console.Preferred(cookie, r.Header.Get("Accept-Language"))}
}
