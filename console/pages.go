package console

import (
	"context"
	"net/http"
	"time"
)

// AdminHomeView is what the base domain's home page shows.
type AdminHomeView struct {
	// BaseDomain is where tenants live: {slug}.{BaseDomain}.
	BaseDomain string
	// Scheme is the URL scheme of the hosts: http on localhost, else https.
	Scheme string
	// ConsoleURL is the admin console on the admin host.
	ConsoleURL string
	// DemoURL, when set, returns the demo tenant's home, or "" while it
	// does not exist; it is asked on each request, as the demo tenant may
	// be made after the server is built.
	DemoURL func(context.Context) string
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
		page := adminHomePage{AdminHomeView: view, Locale: p.RequestLocale(r, "console")}
		if view.DemoURL != nil {
			page.Demo = view.DemoURL(r.Context())
		}
		p.render(w, r, http.StatusOK, "admin_home", page)
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
	// Demo is the demo tenant's home, or "" when there is none.
	Demo string
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
