package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/locale"
	"github.com/sesame-id/sesame/internal/text"
	"github.com/sesame-id/sesame/tenants"
)

// SignInParam is the query parameter that carries an authorization request
// id through the hosted sign-in page, which returns to
// LoginPath?id=ID when the person has signed in.
const SignInParam = "authRequest"

// bindingTTL is how long the browser binding cookie lives; it is renewed
// by every authorization request.
const bindingTTL = authRequestTTL

// authorize checks that the client and its redirect URI are registered
// before anything can be sent there (an unknown one gets Sesame's error
// page, never a redirect), binds the request to the browser, and hands it
// to the library.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		p.serveOP(w, r, &reqState{})
		return
	}
	if err := r.ParseForm(); err != nil {
		p.appError(w, r, t, console.AppErrorUnknownClient)
		return
	}
	// The library reads the last of a repeated parameter, this check the
	// first: a repeated client_id or redirect_uri (from the query, the
	// form or both) is refused, so that the value checked is the one used.
	a, err := p.DB.ForTenant(t.ID).OIDCApps().Lookup(r.Context(), r.Form.Get("client_id"))
	if errors.Is(err, db.ErrNotFound) || len(r.Form["client_id"]) > 1 {
		p.appError(w, r, t, console.AppErrorUnknownClient)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if len(r.Form["redirect_uri"]) > 1 || !registeredRedirect(a, r.Form.Get("redirect_uri")) {
		p.appError(w, r, t, console.AppErrorUnknownRedirect)
		return
	}
	if p.refuseResponseMode(w, r, r.Form.Get("redirect_uri")) {
		return
	}
	st := &reqState{app: a, binding: p.bind(w, r)}
	var out http.ResponseWriter = &issuerWriter{ResponseWriter: w, redirectURI: r.Form.Get("redirect_uri"), issuer: p.issuer(r)}
	if p.straightToSignIn(r) {
		out = &signInWriter{ResponseWriter: out, st: st}
	}
	p.serveOP(out, r, st)
}

// bind returns the browser's binding value, setting the cookie that holds
// it (host-only, HttpOnly, SameSite=Lax: it comes back on the top-level
// navigations of the sign-in). Only its hash is stored on the request.
func (p *Provider) bind(w http.ResponseWriter, r *http.Request) string {
	value := ""
	if c, err := r.Cookie(p.bindingCookie()); err == nil && len(c.Value) >= 43 {
		value = c.Value
	} else {
		value, _ = flows.NewToken()
	}
	http.SetCookie(w, &http.Cookie{Name: p.bindingCookie(), Value: value, Path: "/", MaxAge: int(bindingTTL / time.Second),
		HttpOnly: true, Secure: p.secure(), SameSite: http.SameSiteLaxMode})
	return value
}

func (p *Provider) secure() bool { return p.Tenants.Scheme() == "https" }

func (p *Provider) bindingCookie() string { return bindingCookieName(p.secure()) }

// login continues an authorization request: with a session that satisfies
// it, it completes it and answers the client with a code (after the
// consent page for a third-party application, consent.go); with prompt=none
// and no such session it answers login_required; otherwise it sends the
// person to the hosted sign-in page, which comes back here.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		p.fail(w, r, errNoTenant)
		return
	}
	ctx := op.ContextWithIssuer(withState(r.Context(), &reqState{}), p.issuer(r))
	r = r.WithContext(ctx)
	ar, err := p.storage.authRequest(ctx, r.URL.Query().Get("id"))
	if errors.Is(err, db.ErrNotFound) || err == nil && ar.row.CodeHash != nil {
		p.appError(w, r, t, console.AppErrorExpired)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if !boundTo(ar, cookieValue(r, p.bindingCookie())) {
		p.appError(w, r, t, console.AppErrorOtherBrowser)
		return
	}
	w = &issuerWriter{ResponseWriter: w, redirectURI: ar.doc.RedirectURI, issuer: p.issuer(r)}
	now := p.Clock.Now()
	scope := p.DB.ForTenant(t.ID)
	if s, err := p.session(ctx, r, scope); err == nil && ar.satisfiedBy(s, now) {
		p.completeOrConsent(w, r, t, ar, s)
		return
	}
	if ar.prompted(oidc.PromptNone) {
		op.AuthRequestError(w, r, ar, oidc.ErrLoginRequired(), p.op)
		return
	}
	http.Redirect(w, r, "/?"+signInQuery(ar).Encode(), http.StatusSeeOther)
}

// signInQuery is the hosted sign-in page's query for ar: the request id,
// the language of ui_locales Sesame speaks (lang), and the login_hint,
// which the page puts in the identifier field.
func signInQuery(ar *authRequest) url.Values {
	q := url.Values{SignInParam: {ar.GetID()}}
	for _, tag := range ar.doc.UILocales {
		if lang, ok := locale.Supported(tag); ok {
			q.Set("lang", lang)
			break
		}
	}
	if hint, err := text.Line(ar.doc.LoginHint, 320); err == nil && hint != "" {
		q.Set("login_hint", hint)
	}
	return q
}

// complete answers the client with a code for the session's user; who
// signed in, and how, is stored with the code's hash when the library
// saves the code (SaveAuthCode), in one statement.
func (p *Provider) complete(w http.ResponseWriter, r *http.Request, ar *authRequest, s *db.Session) {
	ar.signIn(s)
	stateOf(r.Context()).completing = ar
	op.AuthResponse(ar, p.op, w, r)
}

// session is the browser's signed-in session, or an error.
func (p *Provider) session(ctx context.Context, r *http.Request, scope db.Scope) (*db.Session, error) {
	c, err := r.Cookie(p.SessionCookie)
	if err != nil {
		return nil, flows.ErrUnauthenticated
	}
	return flows.LookupSession(ctx, scope, c.Value, p.Clock.Now())
}

// endSession is RP-initiated logout: the library checks the id_token_hint
// and the post-logout redirect URI; the browser's session ends when it is
// the hinted user's (flows.Deps.EndSession: its tokens revoked, its
// applications told by back-channel logout).
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		p.serveOP(w, r, &reqState{})
		return
	}
	scope := p.DB.ForTenant(t.ID)
	st := &reqState{endSession: func(ctx context.Context, userID string) error {
		s, err := p.session(ctx, r, scope)
		if err != nil || s.UserID.String() != userID {
			return nil
		}
		if err := p.endSessionDeps().EndSession(ctx, t, s.UserID, s.ID); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: p.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.secure(), SameSite: http.SameSiteLaxMode})
		return nil
	}}
	p.serveOP(w, r, st)
}

// appError shows Sesame's error page for a request that cannot be
// answered by a redirect.
func (p *Provider) appError(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, reason string) {
	lang := console.Preferred(cookieValue(r, console.LangCookie), r.Header.Get("Accept-Language"))
	if lang == "" {
		lang = t.Settings.DefaultLocale
	}
	p.Pages.AppError(w, r, console.AppErrorView{Locale: p.Pages.Locale(lang, "sign_in"), TenantName: t.Name, Reason: reason})
}

func (p *Provider) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.Logger.ErrorContext(r.Context(), "provider request failed", "path", r.URL.Path, "err", err)
	flows.WriteError(w, err)
}

func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}
