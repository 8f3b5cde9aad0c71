package main

import (
	"crypto/subtle"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/internal/demo"
)

//go:embed static
var static embed.FS

// Options configure the demo app.
type Options struct {
	// ClientFile is the path of the credentials `sesame serve --demo`
	// writes (demo.Client). Required.
	ClientFile string
	// Logger receives errors. Default: discard. Nothing secret is logged:
	// no URL query, token, code or secret.
	Logger *slog.Logger
	// HTTPClient calls Sesame. Default: one that dials *.localhost on
	// 127.0.0.1 (newHTTPClient).
	HTTPClient *http.Client
}

// App is the demo app's HTTP handler.
type App struct {
	rps      *relyingParties
	sessions *sessions
	logger   *slog.Logger
	handler  http.Handler
}

// New returns the demo app: its pages, guarded against cross-origin form
// posts.
func New(o Options) *App {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = newHTTPClient()
	}
	a := &App{
		rps:      &relyingParties{path: o.ClientFile, http: o.HTTPClient},
		sessions: newSessions(),
		logger:   o.Logger,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /sign-in", a.signIn)
	mux.HandleFunc("GET "+demo.CallbackPath, a.callback)
	mux.HandleFunc("POST /sign-out", a.signOut)
	mux.HandleFunc("GET "+demo.SignedOutPath, a.signedOut)
	mux.Handle("GET /static/", http.FileServerFS(static))
	a.handler = http.NewCrossOriginProtection().Handler(mux)
	return a
}

// ServeHTTP implements http.Handler.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	a.handler.ServeHTTP(w, r)
}

// home shows who signed in, or the "Sign in" button.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	v := view{}
	if _, s := a.sessions.get(r); s != nil {
		v.User = s.user
	}
	a.render(w, http.StatusOK, v)
}

// signIn starts an authorization request: code flow with PKCE (S256), a
// nonce and a state, all kept in the browser's new session.
func (a *App) signIn(w http.ResponseWriter, r *http.Request) {
	rp, err := a.rps.get(r.Context())
	if err != nil {
		a.unavailable(w, err)
		return
	}
	p := &pendingSignIn{state: randomValue(), nonce: randomValue(), verifier: oauth2.GenerateVerifier()}
	old, _ := a.sessions.get(r)
	a.sessions.start(w, old, &session{pending: p})
	http.Redirect(w, r, rp.oauth.AuthCodeURL(p.state, oidc.Nonce(p.nonce), oauth2.S256ChallengeOption(p.verifier)), http.StatusSeeOther)
}

// callback finishes the sign-in Sesame returns with: the state must be the
// pending one (used once), the code is exchanged with the PKCE verifier,
// and the ID token must be valid for this client and carry the nonce.
func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	id, s := a.sessions.get(r)
	var p *pendingSignIn
	if s != nil {
		a.sessions.update(id, func(s *session) { p, s.pending = s.pending, nil })
	}
	q := r.URL.Query()
	if p == nil || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.state)) != 1 {
		a.problem(w, http.StatusBadRequest, "This sign-in was already finished, or was started in another browser. Please sign in again.")
		return
	}
	if e := q.Get("error"); e != "" {
		a.problem(w, http.StatusBadRequest, "Sesame did not sign you in ("+e+"). Please try again.")
		return
	}
	rp, err := a.rps.get(r.Context())
	if err != nil {
		a.unavailable(w, err)
		return
	}
	if iss := q.Get("iss"); iss != "" && iss != rp.client.Issuer {
		a.problem(w, http.StatusBadRequest, "This answer came from another server than the one the sign-in went to. Please sign in again.")
		return
	}
	user, err := a.exchange(r, rp, q.Get("code"), p)
	if err != nil {
		a.logger.ErrorContext(r.Context(), "demo app: sign-in failed", "err", err)
		a.problem(w, http.StatusBadGateway, "The sign-in could not be finished. Please sign in again.")
		return
	}
	a.sessions.start(w, id, &session{user: user})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// exchange trades the code for tokens and checks the ID token.
func (a *App) exchange(r *http.Request, rp *relyingParty, code string, p *pendingSignIn) (*signedIn, error) {
	ctx := a.rps.context(r.Context())
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(p.verifier))
	if err != nil {
		return nil, err
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, errors.New("the token response has no id_token")
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.nonce)) != 1 {
		return nil, errors.New("the ID token's nonce is not the request's")
	}
	return newSignedIn(raw, idt)
}

// signOut ends the demo app's sign-in and sends the browser to Sesame's
// end_session_endpoint (RP-initiated logout) with the ID token as hint, the
// registered post-logout redirect URI and a state.
func (a *App) signOut(w http.ResponseWriter, r *http.Request) {
	id, s := a.sessions.get(r)
	if s == nil || s.user == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	rp, err := a.rps.get(r.Context())
	if err != nil {
		a.unavailable(w, err)
		return
	}
	state, hint := randomValue(), ""
	a.sessions.update(id, func(s *session) {
		if s.user != nil {
			hint = s.user.rawIDToken
		}
		s.user, s.logoutState = nil, state
	})
	end, err := url.Parse(rp.endSession)
	if rp.endSession == "" || err != nil {
		a.sessions.end(w, id)
		a.render(w, http.StatusOK, view{Notice: "You signed out of the demo app. Sesame offers no sign-out, so you are still signed in there."})
		return
	}
	q := end.Query()
	q.Set("id_token_hint", hint)
	q.Set("post_logout_redirect_uri", rp.client.PostLogoutRedirectURI)
	q.Set("client_id", rp.client.ClientID)
	q.Set("state", state)
	end.RawQuery = q.Encode()
	http.Redirect(w, r, end.String(), http.StatusSeeOther)
}

// signedOut is where Sesame returns after the sign-out; the state must be
// the one sent.
func (a *App) signedOut(w http.ResponseWriter, r *http.Request) {
	id, s := a.sessions.get(r)
	matched := s != nil && s.logoutState != "" &&
		subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(s.logoutState)) == 1
	if id != "" {
		a.sessions.end(w, id)
	}
	if !matched {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	a.render(w, http.StatusOK, view{Notice: "You signed out of the demo app and of Sesame."})
}

// unavailable answers when the demo app cannot talk to Sesame.
func (a *App) unavailable(w http.ResponseWriter, err error) {
	if errors.Is(err, demo.ErrNoClientFile) {
		a.problem(w, http.StatusServiceUnavailable, "The demo app is not registered with Sesame yet. Start Sesame with make run, then try again.")
		return
	}
	a.logger.Error("demo app: cannot use Sesame", "err", err)
	a.problem(w, http.StatusBadGateway, "The demo app cannot reach Sesame. Check that Sesame is running (make run), then try again.")
}

func (a *App) problem(w http.ResponseWriter, status int, message string) {
	a.render(w, status, view{Problem: message})
}
