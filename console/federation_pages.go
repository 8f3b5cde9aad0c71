package console

import "net/http"

// FederationErrorView is the page a refused federation callback shows:
// the catalogue's sentence for Code and a link back to the sign-in page.
type FederationErrorView struct {
	Locale
	TenantName string
	Code       string
	Status     int
}

// ConnectorView is a social connector's button on the sign-in and
// sign-up pages: "Continue with Name".
type ConnectorView struct {
	ID   string
	Name string
}

// FederationError renders the federation error page with v.Status.
func (p *Pages) FederationError(w http.ResponseWriter, r *http.Request, v FederationErrorView) {
	if v.Locale.IsZero() {
		v.Locale = p.Locale(DefaultLanguage, "sign_in")
	}
	if v.Status < 400 {
		v.Status = http.StatusBadRequest
	}
	p.render(w, r, v.Status, "federation_error", v)
}
