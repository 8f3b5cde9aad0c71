package web

import (
	"net/http"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

// deviceCookieName is host-only, like the session cookie: each tenant
// host keeps its own (and its MACs name the tenant besides).
func (h *Handler) deviceCookieName() string {
	if h.secure() {
		return "__Host-sesame_device"
	}
	return "sesame_device"
}

// deviceCookie is the request's device cookie, "" when it has none: what
// the sign-in flow checks to tell a new device (flows.Devices.Known).
func (h *Handler) deviceCookie(r *http.Request) string {
	if c, err := r.Cookie(h.deviceCookieName()); err == nil {
		return c.Value
	}
	return ""
}

// rememberDevice sets the device cookie after a session of s's user was
// issued to this browser (a sign-in, a sign-up, a recovery, a setup
// link): so the user's next sign-in here is not a new device, and the
// first sign-in after signing up tells nothing. Long-lived, HttpOnly,
// Secure on https, SameSite=Lax.
func (h *Handler) rememberDevice(w http.ResponseWriter, r *http.Request, s *db.Session) {
	if h.Devices == nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: h.deviceCookieName(), Value: h.Devices.Remember(s.TenantID, s.UserID, h.deviceCookie(r)), Path: "/",
		MaxAge: flows.DeviceCookieMaxAge, HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}
