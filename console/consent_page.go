package console

import (
	"net/http"
	"strings"
)

// ConsentView is the page on which a person lets a third-party
// application have what it asks for, or refuses.
type ConsentView struct {
	Locale
	TenantName string
	AppName    string
	// Scopes are the scopes asked, each shown in words (app.consent.scope.*).
	Scopes []string
	// Action is where the form posts; RequestID and Token go with it.
	Action    string
	RequestID string
	Token     string
	// FormTarget is the source (origin, or scheme for a native app) the
	// answer redirects to after the form posts: the page's policy allows
	// it as a form target, since browsers check redirects after a form
	// post against form-action.
	FormTarget string
}

// Consent renders the consent page with status 200.
func (p *Pages) Consent(w http.ResponseWriter, r *http.Request, v ConsentView) {
	policy := csp
	if v.FormTarget != "" && !strings.ContainsAny(v.FormTarget, " ;,'\"") {
		policy += " " + v.FormTarget
	}
	p.renderPolicy(w, r, http.StatusOK, "consent", v, policy)
}
