package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// The four WebAuthn routes are doors into the same flows as the hosted
// pages. Their requests and responses are the standard WebAuthn JSON forms:
// the options routes answer with PublicKeyCredentialCreationOptionsJSON /
// PublicKeyCredentialRequestOptionsJSON, and the finishing routes take
// RegistrationResponseJSON / AuthenticationResponseJSON as the body. The
// ceremony is bound to the browser by an HttpOnly, SameSite=Strict cookie
// that holds the flow token.

const ceremonyCookieAge = int(passkey.CeremonyTTL / time.Second)

func (h *Handler) setCeremonyCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: h.ceremonyCookieName(), Value: token, Path: "/", MaxAge: ceremonyCookieAge,
		HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteStrictMode,
	})
}

// ceremonyToken returns the flow token of the ceremony cookie; without one
// there is no ceremony to finish.
func (h *Handler) ceremonyToken(r *http.Request) (string, error) {
	if c, err := r.Cookie(h.ceremonyCookieName()); err == nil && c.Value != "" {
		return c.Value, nil
	}
	return "", flows.ErrCeremonyMissing
}

// ceremonyResponse reads what both finishing routes take: a guarded JSON
// body (the authenticator's response) and the flow token of the ceremony
// cookie. On failure it has answered the request and ok is false.
func (h *Handler) ceremonyResponse(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) (token string, body json.RawMessage, ok bool) {
	if err := h.CheckPost(r, t, true); err != nil {
		h.Fail(w, r, err)
		return "", nil, false
	}
	body, err := server.ReadJSON(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return "", nil, false
	}
	if token, err = h.ceremonyToken(r); err != nil {
		h.Fail(w, r, err)
		return "", nil, false
	}
	return token, body, true
}

// writeOptions answers an options route with the bare publicKey options.
func (h *Handler) writeOptions(w http.ResponseWriter, r *http.Request, res *flows.Result) {
	begun, ok := res.Output.(passkey.Begun)
	if !ok || begun.Passkey == nil {
		h.Fail(w, r, flows.ErrInternal)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(begun.Passkey.PublicKey)
}

// registerOptions serves POST /webauthn/register/options for the signed-in
// user. Both register routes pass the session to the add-passkey flow,
// whose actions refuse one not verified recently (reverification_required).
func (h *Handler) registerOptions(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := h.CheckPost(r, t, false); err != nil {
		h.Fail(w, r, err)
		return
	}
	s, err := h.Session(r.Context(), r, t)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	req := h.requestInfo(r)
	req.UserID, req.SessionID = &s.UserID, &s.ID
	res, err := h.addPasskey.Begin(r.Context(), t, addpasskey.Context{UserID: s.UserID}, addpasskey.ActionPasskeyBegin, nil, req)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.setCeremonyCookie(w, res.Token)
	h.writeOptions(w, r, res)
}

// register serves POST /webauthn/register. The body is the
// RegistrationResponseJSON; the passkey's name may be given as ?name=.
func (h *Handler) register(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	s, err := h.Session(r.Context(), r, t)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	token, body, ok := h.ceremonyResponse(w, r, t)
	if !ok {
		return
	}
	// A bad name is refused before the ceremony, which stays usable.
	if _, err := flows.PasskeyName(r.URL.Query().Get("name")); err != nil {
		h.Fail(w, r, err)
		return
	}
	input, _ := json.Marshal(map[string]any{"credential": body, "name": r.URL.Query().Get("name")})
	req := h.requestInfo(r)
	req.UserID, req.SessionID = &s.UserID, &s.ID
	res, err := h.addPasskey.Run(r.Context(), t, token, addpasskey.ActionPasskeyFinish, input, req)
	h.clearCookie(w, h.ceremonyCookieName())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	flows.WriteJSON(w, http.StatusCreated, res.Output)
}

// authenticateOptions serves POST /webauthn/authenticate/options: a
// discoverable sign-in (body {"mediation": "conditional"} for autofill).
func (h *Handler) authenticateOptions(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := h.CheckPost(r, t, false); err != nil {
		h.Fail(w, r, err)
		return
	}
	body, err := server.ReadJSON(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	res, err := h.signIn.Begin(r.Context(), t, signin.Context{}, signin.ActionPasskeyBegin, body, h.requestInfo(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.setCeremonyCookie(w, res.Token)
	h.writeOptions(w, r, res)
}

// authenticate serves POST /webauthn/authenticate. The body is the
// AuthenticationResponseJSON; success sets the session cookie.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	token, body, ok := h.ceremonyResponse(w, r, t)
	if !ok {
		return
	}
	input, _ := json.Marshal(map[string]json.RawMessage{"credential": body})
	res, err := h.signIn.Run(r.Context(), t, token, signin.ActionPasskeyFinish, input, h.requestInfo(r))
	h.clearCookie(w, h.ceremonyCookieName())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := map[string]any{"result": res.Output, "session": h.SessionResponse(w, r, res.Session)}
	if res.Redirect != "" {
		out["redirect"] = res.Redirect
	}
	flows.WriteJSON(w, http.StatusOK, out)
}
