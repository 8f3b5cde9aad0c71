package web

import (
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/tenants"
)

// recoveryPage serves the hosted recovery page (/recover): reached from
// the sign-in page's "Lost your passkey?" link, and by an administrator's
// recovery link (/recover#link=TOKEN), which the page spends on the
// recovery flow's link action. The rules are the flow's (flows/recovery).
func (h *Handler) recoveryPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if t.IsAdmin() {
		// No recovery on the admin tenant (recovery.Open).
		h.notFound(w, r)
		return
	}
	loc := h.Locale(w, r, t, "recovery")
	h.Pages.Recovery(w, r, console.RecoveryView{
		Locale:     loc,
		Brand:      h.brandView(r.Context(), t, loc.Lang),
		Limits:     pageLimits(),
		TenantName: t.Name,
		Captcha:    h.captchaView(t, h.recovery.Machine().CaptchaActions()),
	})
}
