package console

import "net/http"

// ConsoleView is what the console shell page carries; the console itself
// is an ES module (static/console.js) that talks to the console API and
// to each tenant's management API.
type ConsoleView struct {
	// Locale is the console's language; left zero, the renderer picks it
	// from the request (Pages.RequestLocale).
	Locale
	AdminName string
	// BaseDomain is where tenants live ({slug}.{BaseDomain}).
	BaseDomain string
	// Development shows the outbox of SMS and email messages.
	Development bool
}

// SetupView is the one-time setup link page.
type SetupView struct {
	Locale
	TenantName string
}

// Console renders the console shell.
func (p *Pages) Console(w http.ResponseWriter, r *http.Request, v ConsoleView) {
	if v.Locale.IsZero() {
		v.Locale = p.RequestLocale(r, "console")
	}
	p.render(w, r, http.StatusOK, "console", v)
}

// Setup renders the setup link page.
func (p *Pages) Setup(w http.ResponseWriter, r *http.Request, v SetupView) {
	if v.Locale.IsZero() {
		v.Locale = p.RequestLocale(r, "console")
	}
	p.render(w, r, http.StatusOK, "setup", v)
}

// ConsoleNoAccessView is the page a signed-in user of the admin tenant
// gets at /console when they are no console administrator.
type ConsoleNoAccessView struct {
	Locale
	UserName string
}

// ConsoleNoAccess renders, with status 403, the page that says the
// signed-in user has no access to the console.
func (p *Pages) ConsoleNoAccess(w http.ResponseWriter, r *http.Request, v ConsoleNoAccessView) {
	if v.Locale.IsZero() {
		v.Locale = p.RequestLocale(r, "console")
	}
	p.render(w, r, http.StatusForbidden, "console_no_access", v)
}

// RequestLocale is the language of a page on the admin or base host, chosen
// as the hosted pages choose theirs (locale.Pick): ?lang=, the language
// cookie (the admin host's sign-in page sets it with its switcher), then
// Accept-Language. These hosts have no tenant default: English comes last.
func (p *Pages) RequestLocale(r *http.Request, bundle string) Locale {
	var cookie string
	if c, err := r.Cookie(LangCookie); err == nil {
		cookie = c.Value
	}
	tag, _ := Pick(r.URL.Query().Get("lang"), cookie, r.Header.Get("Accept-Language"), "")
	return p.Locale(tag, bundle)
}
