package console

import "net/http"

// AdminHomeView is what the base domain's home page shows.
type AdminHomeView struct {
	// BaseDomain is where tenants live: {slug}.{BaseDomain}.
	BaseDomain string
}

// AdminHome serves the admin console's home on the base domain.
func (p *Pages) AdminHome(view AdminHomeView) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", p.Static())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusOK, "admin_home", view)
	})
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
