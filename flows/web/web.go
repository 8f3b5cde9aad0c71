// Package web serves a tenant host: the hosted sign-in, sign-up, recovery and
// account pages, the flow JSON API they run on, the four WebAuthn routes
// integrators expect (POST /webauthn/register/options, /webauthn/register,
// /webauthn/authenticate/options, /webauthn/authenticate), and
// /.well-known/webauthn. Every route is a thin door into the flows.
package web

import (
	"context"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// Header names of the flow API.
const (
	// FlowHeader carries the flow token of the flow API.
	FlowHeader = "X-Sesame-Flow"
	// ReturnTokenHeader, set to "1", asks for the session token in the
	// JSON response (API clients); pages rely on the HttpOnly cookie.
	ReturnTokenHeader = "X-Sesame-Return-Token"
	// CaptchaHeader carries the CAPTCHA widget's token on the flow API
	// calls of the actions a tenant's CAPTCHA guards.
	CaptchaHeader = "X-Sesame-Captcha"
	// AuthRequestHeader carries, on the steps of a hosted page opened for
	// an application's authorization request (?authRequest=ID), that
	// request's id: the step that signs in answers it at once
	// (flows.AuthRequestCompleter) and returns the client's redirect as
	// "redirect".
	AuthRequestHeader = "X-Sesame-Auth-Request"
)

// Deps are the handler's dependencies.
type Deps struct {
	// Deps are the dependencies the flow engines share (database,
	// passkeys, clock, logger, job inserter, CAPTCHA verifier), built once
	// by app.Build and given as they are to every engine.
	flows.Deps
	Tenants *tenants.Service
	Pages   *console.Pages
	// GraphQL, when set, serves /graphql (the graph package's handler).
	GraphQL http.Handler
	// Upstream talks to the federation connectors' providers (one per
	// process: it keeps their discovery). Default: a new one.
	Upstream *federation.Upstream
	// KeyEncryptionKey (32 bytes) opens the saml connectors' sealed SP
	// keys (federation.SealSAMLKey).
	KeyEncryptionKey []byte
	// CaptchaScriptOrigin, when set, replaces the scheme and host of the
	// providers' widget scripts on the pages (a mirror, or a fake in
	// tests). Default "": the providers' own.
	CaptchaScriptOrigin string
}

// Handler serves tenant hosts. Every route takes the request's tenant as
// a value (server.WithTenant reads it from the context tenants.Router
// fills, and answers an error when it is missing).
type Handler struct {
	Deps
	signIn     *flows.Engine[signin.Context]
	signUp     *flows.Engine[signup.Context]
	addPasskey *flows.Engine[addpasskey.Context]
	recovery   *flows.Engine[recovery.Context]
	mux        *http.ServeMux
}

// New builds the flow engines (checking their machines) and the routes:
// hosted pages (pages.go), the flow API (flow_api.go), the WebAuthn
// routes (webauthn_routes.go) and /graphql.
func New(d Deps) (*Handler, error) {
	d.Deps = d.Deps.WithDefaults()
	if d.Upstream == nil {
		d.Upstream = federation.NewUpstream(nil)
	}
	h := &Handler{Deps: d}
	var err error
	if h.signIn, err = signin.New(d.Deps); err != nil {
		return nil, err
	}
	if h.signUp, err = signup.New(d.Deps); err != nil {
		return nil, err
	}
	if h.addPasskey, err = addpasskey.New(d.Deps); err != nil {
		return nil, err
	}
	if h.recovery, err = recovery.New(d.Deps); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	tenant := h.WithTenant
	mux.Handle("GET /static/", d.Pages.Static())
	mux.HandleFunc("GET /{$}", tenant(h.signInPage))
	mux.HandleFunc("GET /sign-up", tenant(h.signUpPage))
	mux.HandleFunc("GET "+recovery.LinkPath, tenant(h.recoveryPage))
	mux.HandleFunc("GET /account", tenant(h.accountPage))
	mux.HandleFunc("POST /sign-out", tenant(h.signOut))
	mux.HandleFunc("GET /.well-known/webauthn", tenant(h.wellKnown))
	h.invitationRoutes(mux)
	mux.HandleFunc("GET "+tenants.LogoPath, tenant(h.brandLogo))
	mux.HandleFunc("GET "+stylePath, tenant(h.brandStyleSheet))
	mux.HandleFunc("GET "+account.AvatarPath+"{user}", tenant(h.avatar))

	mux.HandleFunc("GET /api/flows/{kind}", tenant(h.peekFlow))
	mux.HandleFunc("POST /api/flows/{kind}", tenant(h.startFlow))
	mux.HandleFunc("POST /api/flows/{kind}/{action}", tenant(h.runFlow))
	mux.HandleFunc("GET /federation/{id}/callback", tenant(h.federationCallback))
	mux.HandleFunc("POST /federation/{id}/callback", tenant(h.federationFormPost))
	h.samlRoutes(mux)

	mux.HandleFunc("POST /webauthn/register/options", tenant(h.registerOptions))
	mux.HandleFunc("POST /webauthn/register", tenant(h.register))
	mux.HandleFunc("POST /webauthn/authenticate/options", tenant(h.authenticateOptions))
	mux.HandleFunc("POST /webauthn/authenticate", tenant(h.authenticate))
	if d.GraphQL != nil {
		mux.Handle("/graphql", d.GraphQL)
	}
	mux.HandleFunc("/", h.notFound)
	h.mux = mux
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// WithTenant adapts a route taking the tenant as a value
// (server.WithTenant, with this handler's logger).
func (h *Handler) WithTenant(f server.TenantHandlerFunc) http.HandlerFunc {
	return server.WithTenant(h.Logger, f)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		flows.WriteError(w, errcode.ErrNotFound)
		return
	}
	h.Pages.NotFound().ServeHTTP(w, r)
}

// wellKnown serves the tenant's related origins (WebAuthn Level 3 §5.11).
func (h *Handler) wellKnown(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	rp := h.Passkeys.RelyingParty(t)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	flows.WriteJSON(w, http.StatusOK, map[string]any{"origins": rp.Origins})
}

// requestInfo describes the client for the flows (server.RequestInfo) with
// the CAPTCHA token it sent.
func (h *Handler) requestInfo(r *http.Request) flows.RequestInfo {
	req := server.RequestInfo(r)
	req.Captcha = r.Header.Get(CaptchaHeader)
	req.AuthRequest = provider.SignInRequest(r, h.Tenants.Scheme(), r.Header.Get(AuthRequestHeader))
	req.Device = h.deviceCookie(r)
	return req
}

// CheckPost guards every state-changing request: the body must be JSON
// (a cross-site HTML form cannot send that without a CORS preflight, which
// Sesame never grants) and, when the browser says where the request comes
// from, it must be one of the tenant's own origins.
func (h *Handler) CheckPost(r *http.Request, t *tenants.Tenant, jsonBody bool) error {
	if o := r.Header.Get("Origin"); o != "" {
		rp := h.Passkeys.RelyingParty(t)
		if o != h.Tenants.Origin(t) && !slices.Contains(rp.Origins, o) {
			return flows.ErrBadRequestOrigin
		}
	} else if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return flows.ErrBadRequestOrigin
	}
	if jsonBody {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return flows.ErrInvalidInput.WithField("", "Send the request body as application/json.")
		}
	}
	return nil
}

// Session returns the signed-in session of the request (cookie, or
// Authorization: Bearer), or flows.ErrUnauthenticated.
func (h *Handler) Session(ctx context.Context, r *http.Request, t *tenants.Tenant) (*db.Session, error) {
	token := bearer(r)
	if token == "" {
		if c, err := r.Cookie(h.sessionCookieName()); err == nil {
			token = c.Value
		}
	}
	return flows.LookupSession(ctx, h.DB.ForTenant(t.ID), token, h.Clock.Now())
}

func bearer(r *http.Request) string {
	const prefix = "Bearer "
	a := r.Header.Get("Authorization")
	if len(a) > len(prefix) && a[:len(prefix)] == prefix {
		return a[len(prefix):]
	}
	return ""
}

func (h *Handler) secure() bool { return h.Tenants.Scheme() == "https" }

// sessionCookieName is host-only: __Host- on https, where browsers enforce
// Secure, Path=/ and no Domain for it; a plain name on http localhost.
func (h *Handler) sessionCookieName() string { return SessionCookieName(h.secure()) }

// SessionCookieName is the session cookie's name on https (secure) or
// plain http hosts.
func SessionCookieName(secure bool) string {
	if secure {
		return "__Host-sesame_session"
	}
	return "sesame_session"
}

func (h *Handler) ceremonyCookieName() string {
	if h.secure() {
		return "__Host-sesame_ceremony"
	}
	return "sesame_ceremony"
}

// setSessionCookie sets the session cookie of s, and the device cookie
// with its user remembered (rememberDevice).
func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, s *flows.IssuedSession) {
	http.SetCookie(w, &http.Cookie{
		Name: h.sessionCookieName(), Value: s.Token, Path: "/",
		Expires: s.Session.ExpiresAt, HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
	h.rememberDevice(w, r, s.Session)
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode})
}

// SessionJSON is the session part of a response.
type SessionJSON struct {
	ExpiresAt time.Time `json:"expires_at"`
	// Token is present only when the client asked for it.
	Token string `json:"token,omitempty"`
}

// SessionResponse sets the session cookie of s and returns the session
// part of the response, with the token when the client asked for it
// (ReturnTokenHeader).
func (h *Handler) SessionResponse(w http.ResponseWriter, r *http.Request, s *flows.IssuedSession) *SessionJSON {
	h.setSessionCookie(w, r, s)
	out := &SessionJSON{ExpiresAt: s.Session.ExpiresAt}
	if r.Header.Get(ReturnTokenHeader) == "1" {
		out.Token = s.Token
	}
	return out
}

// Fail answers err's public form, logging errors that are not public
// (server.Fail).
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	server.Fail(h.Logger, w, r, err)
}
