// Package admin serves the admin tenant's host, admin.{base domain}: the console
// for its administrators, and otherwise the same hosted pages as any
// tenant, so administrators sign in with Sesame's own flows.
//
// Who may do what:
//
//   - The admin tenant has no sign-up by any door: the sign-up flow refuses
//     every step there (signup.Open, asked by the engine), and its hosted
//     sign-up page does not exist. Its users are made by setup only
//     (`sesame admin create`, `serve --demo`), which prints a one-time
//     setup link.
//   - A session of the admin tenant is not enough: /console and every
//     /console/api route need an administrator record (db.Administrator)
//     for the session's user, which setup writes. Without one the API
//     answers 403 console_access_denied and the console page says the
//     account has no access.
//   - The record's role decides the rest: a platform owner
//     (db.PlatformRoleOwner) sees and manages every tenant and may create
//     tenants; a member (db.PlatformRoleMember) manages only the tenants of
//     their memberships and may not create tenants (403
//     console_role_forbidden).
//   - The development outbox shows an administrator only the messages of
//     the tenants they manage (a platform owner: every message).
//
// Routes besides the tenant pages:
//
//	GET  /console, /console/...            the console (an ES module); signed out → /
//	GET  /console/api/tenants              the tenants the administrator manages, their platform_role and can_create_tenants
//	POST /console/api/tenants              create a tenant ({slug, name}); platform owners only; its creator owns it
//	POST /console/tenants/{slug}/graphql   that tenant's GraphQL management API (a viewer's mutations refused)
//	     /console/api/tenants/{slug}/team  the tenant's administrators, invitations and roles (team.go)
//	GET  /console/api/outbox               in development: the SMS and email messages of the tenants managed
//	GET  /dev/outbox                       in development: the same as a page (the base host's /dev/outbox leads here)
//	GET  /setup                            the setup link page (token in the fragment)
//	POST /api/setup                        spend a setup link ({token}): sets the session cookie
//
// Every other path falls through to the tenant host's handler (flows/web),
// so administrators sign in with Sesame's own flows. The console's
// pages are rendered by console; this package holds the console's HTTP
// API and who may use it.
package admin

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/team"
	"github.com/sesame-id/sesame/flows/web"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// ConsoleGraphQL serves a tenant's management API to a console
// administrator (graph.Endpoint does).
type ConsoleGraphQL interface {
	// role is the administrator's role in t (team.Access): a viewer's
	// mutations are refused.
	ServeConsole(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, admin uuid.UUID, role string)
}

// ConsoleCSRFHeader must accompany every console API request: a
// cross-site form cannot send it.
const ConsoleCSRFHeader = "X-Sesame-Request"

// Handler serves the admin host: the console and its API, and otherwise
// the tenant pages it wraps.
type Handler struct {
	// Handler is the tenant host's handler the admin host falls through
	// to; its sessions, origin checks and error answers serve the console
	// too.
	*web.Handler
	GraphQL ConsoleGraphQL
	// Development lists the outbox in the console.
	Development bool
	// Outbox, in development, is the outbox the console lists.
	Outbox Outbox
	// Team applies the team's rules (roles, invitations, the last owner).
	Team *team.Service
	mux  *http.ServeMux
}

// Outbox lists the development outbox's messages, newest first.
type Outbox interface {
	Messages() []delivery.OutboxMessage
}

// New wraps the tenant pages h with the console. outbox is nil in
// production.
func New(h *web.Handler, gql ConsoleGraphQL, development bool, outbox Outbox) *Handler {
	a := &Handler{Handler: h, GraphQL: gql, Development: development, Outbox: outbox,
		Team: &team.Service{Deps: h.Deps.Deps, Tenants: h.Tenants}}
	tenant := h.WithTenant
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console", tenant(a.consolePage))
	mux.HandleFunc("GET /console/{rest...}", tenant(a.consolePage))
	mux.HandleFunc("GET /console/api/tenants", tenant(a.listTenants))
	mux.HandleFunc("POST /console/api/tenants", tenant(a.createTenant))
	mux.HandleFunc("POST /console/tenants/{slug}/graphql", tenant(a.tenantGraphQL))
	a.teamRoutes(mux)
	if development && outbox != nil {
		mux.HandleFunc("GET /console/api/outbox", tenant(a.listOutbox))
		mux.HandleFunc("GET /dev/outbox", tenant(a.outboxPage))
	}
	mux.HandleFunc("GET /setup", tenant(a.setupPage))
	mux.HandleFunc("POST /api/setup", tenant(a.useSetupLink))
	mux.HandleFunc("GET /account", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
	})
	// No route refuses sign-up here: the sign-up flow itself refuses every
	// step on the admin tenant (signup.Open), whatever the door.
	mux.Handle("/", h)
	a.mux = mux
	return a
}

// ServeHTTP implements http.Handler.
func (a *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// administrator is a signed-in console administrator: a session of the
// admin tenant whose user has an administrator record.
type administrator struct {
	session *db.Session
	// role is db.PlatformRoleOwner or db.PlatformRoleMember.
	role string
}

// owner reports whether the administrator is a platform owner: every
// tenant, and creating tenants.
func (ad *administrator) owner() bool { return ad.role == db.PlatformRoleOwner }

// errNoAdministrator wraps ErrConsoleAccessDenied with the session, for
// the console page to greet the user it refuses.
type errNoAdministrator struct{ session *db.Session }

func (e *errNoAdministrator) Error() string { return flows.ErrConsoleAccessDenied.Error() }
func (e *errNoAdministrator) Unwrap() error { return flows.ErrConsoleAccessDenied }

// administrator returns the signed-in administrator: flows.ErrUnauthenticated
// without a session, flows.ErrConsoleAccessDenied (as *errNoAdministrator)
// for a user of the admin tenant with no administrator record.
func (a *Handler) administrator(r *http.Request, t *tenants.Tenant) (*administrator, error) {
	s, err := a.Session(r.Context(), r, t)
	if err != nil {
		return nil, err
	}
	role, err := a.DB.ForTenant(t.ID).Administrators().Role(r.Context(), s.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, &errNoAdministrator{session: s}
	}
	if err != nil {
		return nil, err
	}
	return &administrator{session: s, role: role}, nil
}

// checkAPI guards the console API: the CSRF header and a signed-in
// administrator.
func (a *Handler) checkAPI(r *http.Request, t *tenants.Tenant) (*administrator, error) {
	if r.Header.Get(ConsoleCSRFHeader) == "" {
		return nil, errcode.ErrCSRFHeaderMissing
	}
	if err := a.CheckPost(r, t, r.Method == http.MethodPost); err != nil {
		return nil, err
	}
	return a.administrator(r, t)
}

// consolePage serves the console to an administrator; a signed-out visitor
// goes to the sign-in page, and a signed-in user with no administrator
// record gets a page that says so.
func (a *Handler) consolePage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ad, ok := a.pageAdministrator(w, r, t)
	if !ok {
		return
	}
	a.Pages.Console(w, r, console.ConsoleView{AdminName: ad.session.User.DisplayName, BaseDomain: a.Tenants.BaseDomain(), Development: a.Development})
}

// pageAdministrator is administrator for the console's pages: on failure
// it has answered (sign-in redirect, the no-access page, or an error) and
// ok is false.
func (a *Handler) pageAdministrator(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) (*administrator, bool) {
	ad, err := a.administrator(r, t)
	var none *errNoAdministrator
	switch {
	case err == nil:
		return ad, true
	case errors.As(err, &none):
		a.Pages.ConsoleNoAccess(w, r, console.ConsoleNoAccessView{
			Locale:   a.Locale(w, r, t, "console"),
			UserName: none.session.User.DisplayName,
		})
	case errors.Is(err, flows.ErrUnauthenticated):
		http.Redirect(w, r, "/", http.StatusSeeOther)
	default:
		a.Logger.ErrorContext(r.Context(), "console administrator", "err", err)
		http.Error(w, "Something went wrong on our side. Try again in a moment.", http.StatusInternalServerError)
	}
	return nil, false
}
