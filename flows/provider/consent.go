package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/grants"
	"github.com/sesame-id/sesame/internal/locale"
	"github.com/sesame-id/sesame/tenants"
)

// ConsentPath receives the consent page's answer (POST: id, token, and
// action allow or cancel).
const ConsentPath = "/oidc/consent"

// Answers of the consent form.
const (
	consentAllow  = "allow"
	consentCancel = "cancel"
)

// completeOrConsent answers a request the session satisfies: with a code
// when the user need not be asked (grants.Needed), with consent_required
// under prompt=none, else with the consent page.
func (p *Provider) completeOrConsent(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, ar *authRequest, s *db.Session) {
	ctx := r.Context()
	scope := p.DB.ForTenant(t.ID)
	a, err := p.storage.app(ctx, ar.row.ClientID)
	if errors.Is(err, db.ErrNotFound) {
		p.appError(w, r, t, console.AppErrorUnknownClient) // deleted since the request
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	need, err := grants.Needed(ctx, scope, grantRequest(a, ar, s))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	switch {
	case !need:
		p.complete(w, r, ar, s)
	case ar.prompted(oidc.PromptNone):
		op.AuthRequestError(w, r, ar, errConsentRequired(), p.op)
	default:
		p.showConsent(w, r, t, ar, a, s)
	}
}

// errConsentRequired is OpenID Connect Core's consent_required (§3.1.2.6),
// which the library does not define.
func errConsentRequired() *oidc.Error {
	return &oidc.Error{ErrorType: "consent_required", Description: "The user must consent to the application's request."}
}

func grantRequest(a *db.OIDCApp, ar *authRequest, s *db.Session) grants.Request {
	return grants.Request{App: a, UserID: s.UserID, Scopes: ar.doc.Scopes, Prompted: ar.prompted(oidc.PromptConsent)}
}

// showConsent renders the consent page in the language of ui_locales (or
// the browser's, or the tenant's).
func (p *Provider) showConsent(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, ar *authRequest, a *db.OIDCApp, s *db.Session) {
	query := ""
	for _, tag := range ar.doc.UILocales {
		if lang, ok := locale.Supported(tag); ok {
			query = lang
			break
		}
	}
	lang, _ := locale.Pick(query, cookieValue(r, console.LangCookie), r.Header.Get("Accept-Language"), t.Settings.DefaultLocale)
	p.Pages.Consent(w, r, console.ConsentView{
		Locale: p.Pages.Locale(lang, "sign_in"), TenantName: t.Name, AppName: a.Name, Scopes: ar.doc.Scopes,
		Action: ConsentPath, RequestID: ar.GetID(), Token: consentToken(cookieValue(r, p.bindingCookie()), ar.GetID(), s.ID.String()),
		FormTarget: formTarget(ar.doc.RedirectURI),
	})
}

// consentToken binds a consent form to the browser (its binding cookie's
// secret value keys the MAC), to the authorization request and to the
// session it was shown to: another site cannot forge the answer, and an
// answer cannot be replayed on another request or after a change of user.
func consentToken(binding, requestID, sessionID string) string {
	m := hmac.New(sha256.New, []byte(binding))
	m.Write([]byte("sesame consent\x00" + requestID + "\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// formTarget is the CSP source of the redirect URI: its origin, or its
// scheme for a native application's custom scheme.
func formTarget(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme == "" {
		return ""
	}
	if u.Host == "" {
		return u.Scheme + ":"
	}
	return u.Scheme + "://" + u.Host
}

// consent takes the consent page's answer. It must come from the browser
// the request is bound to, carry the token the page was shown with, and
// come while the session that saw the page still satisfies the request:
// allow records the grant and answers with a code; cancel answers
// access_denied. Either ends the request: a second answer finds it gone.
func (p *Provider) consent(w http.ResponseWriter, r *http.Request) {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		p.fail(w, r, errNoTenant)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := op.ContextWithIssuer(withState(r.Context(), &reqState{}), p.issuer(r))
	r = r.WithContext(ctx)
	ar, s, reason, err := p.consentRequest(r, t)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if reason != "" {
		p.appError(w, r, t, reason)
		return
	}
	w = &issuerWriter{ResponseWriter: w, redirectURI: ar.doc.RedirectURI, issuer: p.issuer(r)}
	scope := p.DB.ForTenant(t.ID)
	switch r.PostForm.Get("action") {
	case consentAllow:
		a, err := p.storage.app(ctx, ar.row.ClientID)
		if errors.Is(err, db.ErrNotFound) {
			p.appError(w, r, t, console.AppErrorUnknownClient) // deleted since the page
			return
		}
		if err == nil {
			err = grants.Allow(ctx, scope, grantRequest(a, ar, s), p.Clock.Now())
		}
		if err != nil {
			p.fail(w, r, err)
			return
		}
		p.complete(w, r, ar, s)
	case consentCancel:
		if err := scope.OIDCAuthRequests().Refuse(ctx, ar.row.ID); err != nil {
			p.appError(w, r, t, console.AppErrorExpired)
			return
		}
		op.AuthRequestError(w, r, ar, oidc.ErrAccessDenied(), p.op)
	default:
		p.appError(w, r, t, console.AppErrorExpired)
	}
}

// consentRequest checks a consent answer and returns its request and
// session, or the reason it is refused (an AppError… constant).
func (p *Provider) consentRequest(r *http.Request, t *tenants.Tenant) (*authRequest, *db.Session, string, error) {
	if err := r.ParseForm(); err != nil {
		return nil, nil, console.AppErrorExpired, nil
	}
	ctx := r.Context()
	ar, err := p.storage.authRequest(ctx, r.PostForm.Get("id"))
	if errors.Is(err, db.ErrNotFound) || err == nil && ar.row.CodeHash != nil {
		return nil, nil, console.AppErrorExpired, nil
	}
	if err != nil {
		return nil, nil, "", err
	}
	binding := cookieValue(r, p.bindingCookie())
	if !boundTo(ar, binding) {
		return nil, nil, console.AppErrorOtherBrowser, nil
	}
	s, err := p.session(ctx, r, p.DB.ForTenant(t.ID))
	if err != nil || !ar.satisfiedBy(s, p.Clock.Now()) {
		return nil, nil, console.AppErrorExpired, nil
	}
	want := consentToken(binding, ar.GetID(), s.ID.String())
	if subtle.ConstantTimeCompare([]byte(want), []byte(r.PostForm.Get("token"))) != 1 {
		return nil, nil, console.AppErrorOtherBrowser, nil
	}
	return ar, s, "", nil
}
