package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/tenants"
)

// ConsoleGraphQL serves a tenant's management API to a console
// administrator (graph.Endpoint does).
type ConsoleGraphQL interface {
	ServeConsole(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, admin uuid.UUID)
}

// ConsoleCSRFHeader must accompany every console API request: a
// cross-site form cannot send it.
const ConsoleCSRFHeader = "X-Sesame-Request"

// Admin serves the admin tenant's host, admin.{base domain}: the console
// for its users (the administrators), and otherwise the same hosted pages
// as any tenant, so administrators sign in with Sesame's own flows. There
// is no public sign-up there: administrators are made with `sesame admin
// create`, which prints a one-time setup link.
//
// Routes besides the tenant pages:
//
//	GET  /console, /console/...            the console (an ES module); signed out → /
//	GET  /console/api/tenants              the tenants the administrator manages
//	POST /console/api/tenants              create a tenant ({slug, name}); its creator owns it
//	POST /console/tenants/{slug}/graphql   that tenant's GraphQL management API
//	GET  /console/api/outbox               in development: the SMS and email messages sent
//	GET  /setup                            the setup link page (token in the fragment)
//	POST /api/setup                        spend a setup link ({token}): sets the session cookie
type Admin struct {
	*Handler
	GraphQL ConsoleGraphQL
	// Development lists the outbox in the console.
	Development bool
	// Outbox, in development, is the outbox the console lists.
	Outbox Outbox
	mux    *http.ServeMux
}

// Outbox lists the development outbox's messages, newest first.
type Outbox interface {
	Messages() []delivery.OutboxMessage
}

// NewAdmin wraps the tenant pages h with the console. outbox is nil in
// production.
func NewAdmin(h *Handler, gql ConsoleGraphQL, development bool, outbox Outbox) *Admin {
	a := &Admin{Handler: h, GraphQL: gql, Development: development, Outbox: outbox}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console", a.consolePage)
	mux.HandleFunc("GET /console/{rest...}", a.consolePage)
	mux.HandleFunc("GET /console/api/tenants", a.listTenants)
	mux.HandleFunc("POST /console/api/tenants", a.createTenant)
	mux.HandleFunc("POST /console/tenants/{slug}/graphql", a.tenantGraphQL)
	if development && outbox != nil {
		mux.HandleFunc("GET /console/api/outbox", a.listOutbox)
	}
	mux.HandleFunc("GET /setup", a.setupPage)
	mux.HandleFunc("POST /api/setup", a.useSetupLink)
	mux.HandleFunc("GET /account", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
	})
	notFound := http.HandlerFunc(h.notFound)
	mux.Handle("GET /sign-up", notFound)
	mux.Handle("POST /api/flows/sign_up", notFound)
	mux.Handle("POST /api/flows/sign_up/{action}", notFound)
	mux.Handle("/", h)
	a.mux = mux
	return a
}

// ServeHTTP implements http.Handler.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// adminSession returns the signed-in administrator's session.
func (a *Admin) adminSession(r *http.Request) (*db.Session, error) {
	return a.session(r.Context(), r, a.tenant(r))
}

// checkAPI guards the console API: the CSRF header and a signed-in
// administrator.
func (a *Admin) checkAPI(r *http.Request) (*db.Session, error) {
	if r.Header.Get(ConsoleCSRFHeader) == "" {
		return nil, &flows.Error{Code: "csrf_header_missing", Status: http.StatusForbidden,
			Message: "Console requests must carry the X-Sesame-Request header."}
	}
	if err := a.checkPost(r, a.tenant(r), r.Method == http.MethodPost); err != nil {
		return nil, err
	}
	return a.adminSession(r)
}

func (a *Admin) consolePage(w http.ResponseWriter, r *http.Request) {
	s, err := a.adminSession(r)
	if err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	a.Pages.Console(w, r, console.ConsoleView{AdminName: s.User.DisplayName, BaseDomain: a.Tenants.BaseDomain(), Development: a.Development})
}

// consoleTenant is a tenant as the console lists it.
type consoleTenant struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Host string `json:"host"`
	// URL is the tenant's hosted sign-in page.
	URL  string `json:"url"`
	Role string `json:"role"`
}

func (a *Admin) view(t *tenants.Tenant, role string) consoleTenant {
	return consoleTenant{Slug: t.Slug, Name: t.Name, Host: a.Tenants.Host(t), URL: a.Tenants.Origin(t) + "/", Role: role}
}

func (a *Admin) listTenants(w http.ResponseWriter, r *http.Request) {
	s, err := a.checkAPI(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ms, err := a.DB.ForTenant(a.tenant(r).ID).Memberships().Of(r.Context(), s.UserID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []consoleTenant{}
	for _, m := range ms {
		out = append(out, consoleTenant{Slug: m.Tenant.Slug, Name: m.Tenant.Name, Host: m.Tenant.Slug + "." + a.Tenants.BaseDomain(),
			URL: a.Tenants.Scheme() + "://" + m.Tenant.Slug + "." + a.Tenants.BaseDomain() + "/", Role: m.Role})
	}
	flows.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out})
}

func (a *Admin) createTenant(w http.ResponseWriter, r *http.Request) {
	s, err := a.checkAPI(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Slug string `json:"slug"`
		Name string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil {
		a.fail(w, r, flows.ErrInvalidInput.WithField("", "Send {\"slug\": ..., \"name\": ...} as JSON."))
		return
	}
	t, err := a.Tenants.Create(r.Context(), in.Slug, in.Name)
	var ie *tenants.InputError
	switch {
	case errors.As(err, &ie):
		a.fail(w, r, flows.ErrInvalidInput.WithField(ie.Field, ie.Field+" "+ie.Problem))
		return
	case errors.Is(err, tenants.ErrSlugTaken):
		a.fail(w, r, flows.ErrInvalidInput.WithField("slug", "This slug is taken. Choose another one."))
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	if err := a.DB.ForTenant(a.tenant(r).ID).Memberships().Add(r.Context(), s.UserID, t.ID, db.RoleOwner, a.Clock.Now()); err != nil {
		a.fail(w, r, err)
		return
	}
	flows.WriteJSON(w, http.StatusCreated, map[string]any{"tenant": a.view(t, db.RoleOwner)})
}

// errNotManaged answers for a tenant the administrator does not manage, and
// for one that does not exist: the two look the same.
var errNotManaged = &flows.Error{Code: "not_found", Status: http.StatusNotFound, Message: "You manage no tenant with this slug."}

func (a *Admin) tenantGraphQL(w http.ResponseWriter, r *http.Request) {
	s, err := a.checkAPI(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) || (err == nil && t.IsAdmin()) {
		a.fail(w, r, errNotManaged)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.DB.ForTenant(a.tenant(r).ID).Memberships().Role(r.Context(), s.UserID, t.ID); errors.Is(err, db.ErrNotFound) {
		a.fail(w, r, errNotManaged)
		return
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	a.GraphQL.ServeConsole(w, r.WithContext(tenants.WithTenant(r.Context(), t)), t, s.UserID)
}

func (a *Admin) setupPage(w http.ResponseWriter, r *http.Request) {
	a.Pages.Setup(w, r, console.SetupView{TenantName: a.tenant(r).Name})
}

func (a *Admin) useSetupLink(w http.ResponseWriter, r *http.Request) {
	t := a.tenant(r)
	if err := a.checkPost(r, t, true); err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil {
		a.fail(w, r, flows.ErrInvalidInput.WithField("token", "Send {\"token\": ...} as JSON."))
		return
	}
	var issued *flows.IssuedSession
	err := a.DB.InTx(r.Context(), func(ctx context.Context, tx *db.Tx) error {
		var err error
		issued, err = flows.UseSetupLink(ctx, tx.ForTenant(t.ID), in.Token, requestInfo(r), a.Clock.Now())
		return err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	flows.WriteJSON(w, http.StatusOK, map[string]any{"session": a.sessionResponse(w, r, issued)})
}

// outboxMessage is one development outbox message as the console lists it.
type outboxMessage struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	To      string    `json:"to"`
	Subject string    `json:"subject,omitempty"`
	Body    string    `json:"body"`
	SentAt  time.Time `json:"sent_at"`
}

// listOutbox lists the development outbox: every message the server kept,
// whatever the tenant (a development server has no secrets to keep apart).
func (a *Admin) listOutbox(w http.ResponseWriter, r *http.Request) {
	if _, err := a.checkAPI(r); err != nil {
		a.fail(w, r, err)
		return
	}
	out := []outboxMessage{}
	for _, m := range a.Outbox.Messages() {
		out = append(out, outboxMessage{ID: m.ID, Kind: string(m.Kind), To: m.To, Subject: m.Subject, Body: m.Body, SentAt: m.SentAt})
	}
	flows.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
}
