package console

import "net/http"

// InvitationView is the page a tenant's invitation link opens on the
// tenant's host.
type InvitationView struct {
	Locale
	TenantName string
}

// Invitation renders the invitation page: spend the link, create a
// passkey (invitation.js).
func (p *Pages) Invitation(w http.ResponseWriter, r *http.Request, v InvitationView) {
	if v.Locale.IsZero() {
		v.Locale = p.RequestLocale(r, "invitation")
	}
	p.render(w, r, http.StatusOK, "invitation", v)
}
