package tenants

import (
	"errors"
	"log/slog"
	"net/http"
)

// Router sends each request to the handler for its host: the admin console
// for the base domain, the tenant pages (with the tenant in the request's
// context, see FromContext) for a tenant host, and NotFound otherwise.
type Router struct {
	Tenants *Service
	Base    http.Handler // the base domain: the small home page
	Tenant  http.Handler // a tenant host
	// Admin, when set, serves the admin tenant's host (the console); the
	// admin tenant is in the request's context as for any tenant.
	Admin    http.Handler
	NotFound http.Handler // any other host
	Logger   *slog.Logger
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, t, err := rt.Tenants.Resolve(r.Context(), r.Host)
	switch {
	case err != nil && !errors.Is(err, ErrUnknownHost):
		rt.Logger.ErrorContext(r.Context(), "resolve tenant", "host", r.Host, "err", err)
		http.Error(w, "The service is temporarily unavailable. Try again shortly.", http.StatusServiceUnavailable)
	case kind == HostBase:
		rt.Base.ServeHTTP(w, r)
	case kind == HostTenant && t.IsAdmin() && rt.Admin != nil:
		rt.Admin.ServeHTTP(w, r.WithContext(WithTenant(r.Context(), t)))
	case kind == HostTenant:
		rt.Tenant.ServeHTTP(w, r.WithContext(WithTenant(r.Context(), t)))
	default:
		rt.NotFound.ServeHTTP(w, r)
	}
}
