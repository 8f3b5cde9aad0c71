// Package console holds everything a browser loads from Sesame: the admin
// console on the base domain, the hosted pages on each tenant host, and
// their static assets, embedded in the binary so `go build` needs no build
// step. It imports no domain package: handlers receive what a page shows as
// plain view structs.
package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Pages renders the embedded templates.
type Pages struct {
	pages   map[string]*template.Template
	catalog *Catalog
	logger  *slog.Logger
}

// New parses every page template, each combined with layout.html and
// screens.html (the parts of the pages that run screen by screen).
func New(logger *slog.Logger) (*Pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	catalog, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	p := &Pages{pages: make(map[string]*template.Template), catalog: catalog, logger: logger}
	for _, name := range names {
		if name == "templates/layout.html" || name == "templates/screens.html" {
			continue
		}
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/screens.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.pages[name[len("templates/"):len(name)-len(".html")]] = t
	}
	return p, nil
}

// Catalog returns the strings of the hosted pages in every language.
func (p *Pages) Catalog() *Catalog { return p.catalog }

// Locale returns the locale of tag for a page of bundle (sign_in,
// sign_up, account, console).
func (p *Pages) Locale(tag, bundle string) Locale { return p.catalog.Locale(tag, bundle) }

// render writes page name with data and status, or a plain 500 if the
// template fails (the output is buffered so a half page is never sent).
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	p.renderWith(w, r, status, name, data, nil)
}

// csp is the pages' Content-Security-Policy: nothing but the page's own
// origin. Each kind of load is named, although default-src covers it, so
// that a tenant's custom CSS (a stylesheet of the tenant host) plainly
// cannot load styles, pictures or fonts from elsewhere, and no script,
// inline or not, runs but the page's own files.
const csp = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// cspWith returns the policy that also lets the page load scripts, frames,
// styles and requests from sources (a CAPTCHA widget's hosts).
func cspWith(sources []string) string {
	if len(sources) == 0 {
		return csp
	}
	s := strings.Join(sources, " ")
	return "default-src 'self'; script-src 'self' " + s + "; frame-src 'self' " + s + "; style-src 'self' " + s +
		"; connect-src 'self' " + s + "; img-src 'self' data: " + s + "; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

// renderWith is render with a policy that allows sources besides the
// page's own origin.
func (p *Pages) renderWith(w http.ResponseWriter, r *http.Request, status int, name string, data any, sources []string) {
	p.renderPolicy(w, r, status, name, data, cspWith(sources))
}

// renderPolicy is render with the Content-Security-Policy policy.
func (p *Pages) renderPolicy(w http.ResponseWriter, r *http.Request, status int, name string, data any, policy string) {
	t, ok := p.pages[name]
	if !ok {
		p.logger.ErrorContext(r.Context(), "unknown page", "page", name)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		p.logger.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", policy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Static serves the embedded assets under /static/.
func (p *Pages) Static() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
