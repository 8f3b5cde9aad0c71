package console

import (
	"net/http"
	"time"
)

// AdminHomeView is what the base domain's home page shows.
type AdminHomeView struct {
	// BaseDomain is where tenants live: {slug}.{BaseDomain}.
	BaseDomain string
	// Outbox, in development only, lists the codes the development
	// outbox "sent", newest first, for GET /dev/outbox. Nil serves no
	// such page.
	Outbox func() []OutboxMessageView
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
		p.render(w, r, http.StatusOK, "admin_home", view)
	})
	if view.Outbox != nil {
		mux.HandleFunc("GET /dev/outbox", func(w http.ResponseWriter, r *http.Request) {
			p.render(w, r, http.StatusOK, "dev_outbox", view.Outbox())
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusNotFound, "not_found", NotFoundView{Host: r.Host, Path: r.URL.Path})
	})
	return mux
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
