// Package web serves a tenant host: the hosted sign-in, sign-up and
// account pages, the flow JSON API they run on, the four WebAuthn routes
// integrators expect (POST /webauthn/register/options, /webauthn/register,
// /webauthn/authenticate/options, /webauthn/authenticate), and
// /.well-known/webauthn. Every route is a thin door into the flows.
package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/errcode"
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
)

// maxBody caps request bodies: WebAuthn responses are a few kilobytes.
const maxBody = 64 << 10

// Deps are the handler's dependencies.
type Deps struct {
	DB       *db.DB
	Tenants  *tenants.Service
	Passkeys *passkey.Service
	Pages    *console.Pages
	Clock    clock.Clock
	Logger   *slog.Logger
	// Jobs enqueues the jobs that send codes.
	Jobs flows.JobInserter
	// GraphQL, when set, serves /graphql (the graph package's handler).
	GraphQL http.Handler
	// Captcha checks the CAPTCHA tokens of guarded actions. Default: a
	// captcha.Verifier calling the providers' real siteverify APIs.
	Captcha flows.CaptchaVerifier
	// CaptchaScriptOrigin, when set, replaces the scheme and host of the
	// providers' widget scripts on the pages (a mirror, or a fake in
	// tests). Default "": the providers' own.
	CaptchaScriptOrigin string
}

// Handler serves tenant hosts. The request's tenant must be in its
// context (tenants.Router puts it there).
type Handler struct {
	Deps
	signIn     *flows.Engine[signin.Context]
	signUp     *flows.Engine[signup.Context]
	addPasskey *flows.Engine[addpasskey.Context]
	mux        *http.ServeMux
}

// New builds the flow engines (checking their machines) and the routes.
func New(d Deps) (*Handler, error) {
	h := &Handler{Deps: d}
	var err error
	fd := flows.Deps{DB: d.DB, Passkeys: d.Passkeys, Clock: d.Clock, Logger: d.Logger, Jobs: d.Jobs, Captcha: d.Captcha}
	if h.signIn, err = signin.New(fd); err != nil {
		return nil, err
	}
	if h.signUp, err = signup.New(fd); err != nil {
		return nil, err
	}
	if h.addPasskey, err = addpasskey.New(fd); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /static/", d.Pages.Static())
	mux.HandleFunc("GET /{$}", h.signInPage)
	mux.HandleFunc("GET /sign-up", h.signUpPage)
	mux.HandleFunc("GET /account", h.accountPage)
	mux.HandleFunc("POST /sign-out", h.signOut)
	mux.HandleFunc("GET /.well-known/webauthn", h.wellKnown)

	mux.HandleFunc("POST /api/flows/{kind}", h.startFlow)
	mux.HandleFunc("POST /api/flows/{kind}/{action}", h.runFlow)

	mux.HandleFunc("POST /webauthn/register/options", h.registerOptions)
	mux.HandleFunc("POST /webauthn/register", h.register)
	mux.HandleFunc("POST /webauthn/authenticate/options", h.authenticateOptions)
	mux.HandleFunc("POST /webauthn/authenticate", h.authenticate)
	if d.GraphQL != nil {
		mux.Handle("/graphql", d.GraphQL)
	}
	mux.HandleFunc("/", h.notFound)
	h.mux = mux
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) tenant(r *http.Request) *tenants.Tenant {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		// Routing guarantees a tenant; reaching here is a wiring bug.
		panic("web: request without tenant")
	}
	return t
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		flows.WriteError(w, errcode.ErrNotFound)
		return
	}
	h.Pages.NotFound().ServeHTTP(w, r)
}

// wellKnown serves the tenant's related origins (WebAuthn Level 3 §5.11).
func (h *Handler) wellKnown(w http.ResponseWriter, r *http.Request) {
	rp := h.Passkeys.RelyingParty(h.tenant(r))
	w.Header().Set("Access-Control-Allow-Origin", "*")
	flows.WriteJSON(w, http.StatusOK, map[string]any{"origins": rp.Origins})
}

// preferredLang is the language the client asked for ("" for none).
func preferredLang(r *http.Request) string {
	var cookie string
	if c, err := r.Cookie(console.LangCookie); err == nil {
		cookie = c.Value
	}
	return console.Preferred(cookie, r.Header.Get("Accept-Language"))
}

// requestInfo describes the client for the flows. The IP is the peer's:
// put Sesame behind a proxy that rewrites the connection, not one that only
// sets X-Forwarded-For.
func requestInfo(r *http.Request) flows.RequestInfo {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return flows.RequestInfo{UserAgent: r.UserAgent(), IP: ip, Captcha: r.Header.Get(CaptchaHeader), Lang: preferredLang(r)}
}

// checkPost guards every state-changing request: the body must be JSON
// (a cross-site HTML form cannot send that without a CORS preflight, which
// Sesame never grants) and, when the browser says where the request comes
// from, it must be one of the tenant's own origins.
func (h *Handler) checkPost(r *http.Request, t *tenants.Tenant, jsonBody bool) error {
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

// readBody returns the request body, at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) (json.RawMessage, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, flows.ErrInvalidInput.WithField("", "The request body is too large or unreadable.")
	}
	if len(b) > 0 && !json.Valid(b) {
		return nil, flows.ErrInvalidInput.WithField("", "The request body is not valid JSON.")
	}
	return b, nil
}

// session returns the signed-in session of the request (cookie, or
// Authorization: Bearer), or flows.ErrUnauthenticated.
func (h *Handler) session(ctx context.Context, r *http.Request, t *tenants.Tenant) (*db.Session, error) {
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

func (h *Handler) setSessionCookie(w http.ResponseWriter, s *flows.IssuedSession) {
	http.SetCookie(w, &http.Cookie{
		Name: h.sessionCookieName(), Value: s.Token, Path: "/",
		Expires: s.Session.ExpiresAt, HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode})
}

// sessionJSON is the session part of a response.
type sessionJSON struct {
	ExpiresAt time.Time `json:"expires_at"`
	// Token is present only when the client asked for it.
	Token string `json:"token,omitempty"`
}

func (h *Handler) sessionResponse(w http.ResponseWriter, r *http.Request, s *flows.IssuedSession) *sessionJSON {
	h.setSessionCookie(w, s)
	out := &sessionJSON{ExpiresAt: s.Session.ExpiresAt}
	if r.Header.Get(ReturnTokenHeader) == "1" {
		out.Token = s.Token
	}
	return out
}

// fail writes err's public form, a catalogue error. An error that is not
// public, or one that carries a cause beside its public error, is logged:
// the cause never reaches the client.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch pe, ok := errcode.Public(err); {
	case !ok:
		h.Logger.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	case err.Error() != pe.Error():
		h.Logger.InfoContext(r.Context(), "request refused", "path", r.URL.Path, "code", pe.Code, "err", err)
	}
	flows.WriteError(w, err)
}
