package console

import (
	"net/http"
	"time"
)

// AdminHomeView is what the base domain's home page shows.
type AdminHomeView struct {
	// BaseDomain is where tenants live: {slug}.{BaseDomain}.
	BaseDomain string
	// OutboxURL, in development only, is where GET /dev/outbox leads: the
	// admin host's outbox page, which shows a signed-in administrator the
	// codes of the tenants they manage. The base host has no session, so
	// it lists no message itself. Empty serves no such page.
	OutboxURL string
}

// OutboxMessageView is one message of the development outbox.
type OutboxMessageView struct {
	Kind, To, Subject, Body string
	SentAt                  time.Time
}

// AdminHome serves the admin console's home on the base domain.
func (p *Pages) AdminHome(view AdminHomeView) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", p.Static())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusOK, "admin_home", adminHomePage{AdminHomeView: view, Locale: p.RequestLocale(r, "console")})
	})
	if view.OutboxURL != "" {
		mux.HandleFunc("GET /dev/outbox", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, view.OutboxURL, http.StatusSeeOther)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusNotFound, "not_found", NotFoundView{Host: r.Host, Path: r.URL.Path})
	})
	return mux
}

// DevOutbox renders the development outbox page with msgs, newest first:
// the messages the signed-in administrator may read.
func (p *Pages) DevOutbox(w http.ResponseWriter, r *http.Request, msgs []OutboxMessageView) {
	p.render(w, r, http.StatusOK, "dev_outbox", devOutboxPage{Locale: p.RequestLocale(r, "console"), Messages: msgs})
}

// adminHomePage is the base domain's home with its language.
type adminHomePage struct {
	AdminHomeView
	Locale
}

// devOutboxPage is the development outbox page with its language.
type devOutboxPage struct {
	Locale
	Messages []OutboxMessageView
}

// NotFoundView is what the 404 page shows.
type NotFoundView struct {
	Host string
	Path string
}

// UnknownHost serves the plain 404 page for a host no tenant owns.
func (p *Pages) UnknownHost() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusNotFound, "unknown_host", NotFoundView{Host: r.Host, Path: r.URL.Path})
	})
}
