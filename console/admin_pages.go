package console

import "net/http"

// ConsoleView is what the console shell page carries; the console itself
// is an ES module (static/console.js) that talks to the console API and
// to each tenant's management API.
type ConsoleView struct {
	// Locale is English: the console speaks English.
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
	v.Locale = p.Locale(DefaultLanguage, "console")
	p.render(w, r, http.StatusOK, "console", v)
}

// Setup renders the setup link page.
func (p *Pages) Setup(w http.ResponseWriter, r *http.Request, v SetupView) {
	v.Locale = p.Locale(DefaultLanguage, "console")
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
	p.render(w, r, http.StatusForbidden, "console_no_access", v)
}
