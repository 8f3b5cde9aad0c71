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
	"github.com/sesame-id/sesame/internal/errcode"
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
//	POST /console/tenants/{slug}/graphql   that tenant's GraphQL management API
//	GET  /console/api/outbox               in development: the SMS and email messages of the tenants managed
//	GET  /dev/outbox                       in development: the same as a page (the base host's /dev/outbox leads here)
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
		mux.HandleFunc("GET /dev/outbox", a.outboxPage)
	}
	mux.HandleFunc("GET /setup", a.setupPage)
	mux.HandleFunc("POST /api/setup", a.useSetupLink)
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
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

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
func (a *Admin) administrator(r *http.Request) (*administrator, error) {
	t := a.tenant(r)
	s, err := a.session(r.Context(), r, t)
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
func (a *Admin) checkAPI(r *http.Request) (*administrator, error) {
	if r.Header.Get(ConsoleCSRFHeader) == "" {
		return nil, errcode.ErrCSRFHeaderMissing
	}
	if err := a.checkPost(r, a.tenant(r), r.Method == http.MethodPost); err != nil {
		return nil, err
	}
	return a.administrator(r)
}

// consolePage serves the console to an administrator; a signed-out visitor
// goes to the sign-in page, and a signed-in user with no administrator
// record gets a page that says so.
func (a *Admin) consolePage(w http.ResponseWriter, r *http.Request) {
	ad, ok := a.pageAdministrator(w, r)
	if !ok {
		return
	}
	a.Pages.Console(w, r, console.ConsoleView{AdminName: ad.session.User.DisplayName, BaseDomain: a.Tenants.BaseDomain(), Development: a.Development})
}

// pageAdministrator is administrator for the console's pages: on failure
// it has answered (sign-in redirect, the no-access page, or an error) and
// ok is false.
func (a *Admin) pageAdministrator(w http.ResponseWriter, r *http.Request) (*administrator, bool) {
	ad, err := a.administrator(r)
	var none *errNoAdministrator
	switch {
	case err == nil:
		return ad, true
	case errors.As(err, &none):
		a.Pages.ConsoleNoAccess(w, r, console.ConsoleNoAccessView{
			Locale:   a.locale(w, r, a.tenant(r), "console"),
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

// managed returns the tenants the administrator manages, by slug, with
// their role in each: a platform owner every tenant but the admin tenant
// (role owner or admin where they have a membership, platform_owner
// elsewhere), a member the tenants of their memberships.
func (a *Admin) managed(ctx context.Context, adminTenant *tenants.Tenant, ad *administrator) ([]consoleTenant, error) {
	ms, err := a.DB.ForTenant(adminTenant.ID).Memberships().Of(ctx, ad.session.UserID)
	if err != nil {
		return nil, err
	}
	out := []consoleTenant{}
	if !ad.owner() {
		for _, m := range ms {
			out = append(out, consoleTenant{Slug: m.Tenant.Slug, Name: m.Tenant.Name, Host: m.Tenant.Slug + "." + a.Tenants.BaseDomain(),
				URL: a.Tenants.Scheme() + "://" + m.Tenant.Slug + "." + a.Tenants.BaseDomain() + "/", Role: m.Role, id: m.TenantID})
		}
		return out, nil
	}
	roles := map[uuid.UUID]string{}
	for _, m := range ms {
		roles[m.TenantID] = m.Role
	}
	all, err := a.Tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.IsAdmin() {
			continue
		}
		role, ok := roles[t.ID]
		if !ok {
			role = db.PlatformRoleOwner
		}
		v := a.view(t, role)
		out = append(out, v)
	}
	return out, nil
}

// consoleTenant is a tenant as the console lists it.
type consoleTenant struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Host string `json:"host"`
	// URL is the tenant's hosted sign-in page.
	URL  string `json:"url"`
	Role string `json:"role"`
	id   uuid.UUID
}

func (a *Admin) view(t *tenants.Tenant, role string) consoleTenant {
	return consoleTenant{Slug: t.Slug, Name: t.Name, Host: a.Tenants.Host(t), URL: a.Tenants.Origin(t) + "/", Role: role, id: t.ID}
}

func (a *Admin) listTenants(w http.ResponseWriter, r *http.Request) {
	ad, err := a.checkAPI(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.managed(r.Context(), a.tenant(r), ad)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	flows.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out, "platform_role": ad.role, "can_create_tenants": ad.owner()})
}

// createTenant creates a tenant, owned by its creator; only a platform
// owner may.
func (a *Admin) createTenant(w http.ResponseWriter, r *http.Request) {
	ad, err := a.checkAPI(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ad.owner() {
		a.fail(w, r, flows.ErrConsoleRoleForbidden)
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
	if err := a.DB.ForTenant(a.tenant(r).ID).Memberships().Add(r.Context(), ad.session.UserID, t.ID, db.RoleOwner, a.Clock.Now()); err != nil {
		a.fail(w, r, err)
		return
	}
	flows.WriteJSON(w, http.StatusCreated, map[string]any{"tenant": a.view(t, db.RoleOwner)})
}

// errNotManaged answers for a tenant the administrator does not manage, and
// for one that does not exist: the two look the same.
var errNotManaged = errcode.ErrNotFound

// tenantGraphQL serves a tenant's management API to an administrator who
// manages it: a platform owner any tenant, a member those of their
// memberships.
func (a *Admin) tenantGraphQL(w http.ResponseWriter, r *http.Request) {
	ad, err := a.checkAPI(r)
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
	if !ad.owner() {
		if _, err := a.DB.ForTenant(a.tenant(r).ID).Memberships().Role(r.Context(), ad.session.UserID, t.ID); errors.Is(err, db.ErrNotFound) {
			a.fail(w, r, errNotManaged)
			return
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.GraphQL.ServeConsole(w, r.WithContext(tenants.WithTenant(r.Context(), t)), t, ad.session.UserID)
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

// outboxOf returns the development outbox's messages the administrator
// may read: a platform owner every message, a member those of the tenants
// they manage.
func (a *Admin) outboxOf(r *http.Request, ad *administrator) ([]delivery.OutboxMessage, error) {
	msgs := a.Outbox.Messages()
	if ad.owner() {
		return msgs, nil
	}
	ts, err := a.managed(r.Context(), a.tenant(r), ad)
	if err != nil {
		return nil, err
	}
	mine := map[uuid.UUID]bool{}
	for _, t := range ts {
		mine[t.id] = true
	}
	out := []delivery.OutboxMessage{}
	for _, m := range msgs {
		if m.TenantID != uuid.Nil && mine[m.TenantID] {
			out = append(out, m)
		}
	}
	return out, nil
}

// listOutbox lists the development outbox messages the administrator may
// read (outboxOf).
func (a *Admin) listOutbox(w http.ResponseWriter, r *http.Request) {
	ad, err := a.checkAPI(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	msgs, err := a.outboxOf(r, ad)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []outboxMessage{}
	for _, m := range msgs {
		out = append(out, outboxMessage{ID: m.ID, Kind: string(m.Kind), To: m.To, Subject: m.Subject, Body: m.Body, SentAt: m.SentAt})
	}
	flows.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// outboxPage shows the development outbox messages the administrator may
// read as a page; the base host's /dev/outbox leads here.
func (a *Admin) outboxPage(w http.ResponseWriter, r *http.Request) {
	ad, ok := a.pageAdministrator(w, r)
	if !ok {
		return
	}
	msgs, err := a.outboxOf(r, ad)
	if err != nil {
		a.Logger.ErrorContext(r.Context(), "development outbox", "err", err)
		http.Error(w, "Something went wrong on our side. Try again in a moment.", http.StatusInternalServerError)
		return
	}
	views := []console.OutboxMessageView{}
	for _, m := range msgs {
		views = append(views, console.OutboxMessageView{Kind: string(m.Kind), To: m.To, Subject: m.Subject, Body: m.Body, SentAt: m.SentAt})
	}
	a.Pages.DevOutbox(w, r, views)
}
