package console

import "net/http"

// ConsoleView is what the console shell page carries; the console itself
// is an ES module (static/console.js) that talks to the console API and
// to each tenant's management API.
type ConsoleView struct {
	AdminName string
	// BaseDomain is where tenants live ({slug}.{BaseDomain}).
	BaseDomain string
	// Development shows the outbox of SMS and email messages.
	Development bool
}

// SetupView is the one-time setup link page.
type SetupView struct {
	TenantName string
}

// Console renders the console shell.
func (p *Pages) Console(w http.ResponseWriter, r *http.Request, v ConsoleView) {
	p.render(w, r, http.StatusOK, "console", v)
}

// Setup renders the setup link page.
func (p *Pages) Setup(w http.ResponseWriter, r *http.Request, v SetupView) {
	p.render(w, r, http.StatusOK, "setup", v)
}
