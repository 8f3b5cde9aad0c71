package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/tenants"
)

// signInPage serves the hosted sign-in page; a signed-in user goes to
// their account instead, unless an application's authorization request
// asks for a new sign-in (provider.SignInParam: prompt=login, max_age).
func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if _, err := h.Session(r.Context(), r, t); err == nil && r.URL.Query().Get("authRequest") == "" {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	p := t.Settings.Passkeys
	// An application's acr_values=phr: only the passkey is offered.
	passkeyOnly := p.SignIn && provider.PasskeyRequired(r.Context(), h.DB.ForTenant(t.ID), r.URL.Query().Get(provider.SignInParam), h.Clock.Now())
	loc := h.Locale(w, r, t, "sign_in")
	h.Pages.SignIn(w, r, console.SignInView{
		Locale:        loc,
		Brand:         h.brandView(r.Context(), t, loc.Lang),
		Limits:        pageLimits(),
		TenantName:    t.Name,
		PasskeySignIn: p.SignIn,
		ShowButton:    p.ShowButton || passkeyOnly,
		Autofill:      p.Autofill,
		PasskeyOnly:   passkeyOnly,
		AllowSignUp:   p.AllowRegistration && t.SignUpOpen(),
		SignUpURL:     signUpURL(r),
		AllowRecovery: !t.IsAdmin(),
		Captcha:       h.captchaView(t, h.signIn.Machine().CaptchaActions()),
		Connectors:    h.connectorViews(r.Context(), t),
	})
}

// signUpURL is the sign-in page's link to the sign-up page; from an
// application's request it carries the request (provider.SignInParam), in
// the page as served, so a click before the scripts run still returns to
// the application.
func signUpURL(r *http.Request) string {
	id := r.URL.Query().Get(provider.SignInParam)
	if id == "" {
		return "/sign-up"
	}
	return "/sign-up?" + url.Values{provider.SignInParam: {id}}.Encode()
}

// captchaView is the sign-in page's CAPTCHA widget, nil when the tenant
// has none on: then the page loads nothing from another host.
func (h *Handler) captchaView(t *tenants.Tenant, actions []string) *console.CaptchaView {
	c := t.Settings.Captcha
	w, ok := captcha.WidgetFor(c.Provider, h.CaptchaScriptOrigin)
	if !ok {
		return nil
	}
	return &console.CaptchaView{
		Provider:  c.Provider,
		SiteKey:   c.SiteKey,
		ScriptURL: w.ScriptURL,
		Actions:   strings.Join(actions, " "),
		Sources:   w.Sources,
	}
}

// signUpPage serves the hosted sign-up page, with a field for each
// identifier the tenant takes at sign-up; a tenant that takes no sign-up
// (tenants.Tenant.SignUpOpen) has no such page.
func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if !t.SignUpOpen() {
		// No sign-up page where the flow refuses every step.
		h.notFound(w, r)
		return
	}
	su := t.Settings.SignUp
	loc := h.Locale(w, r, t, "sign_up")
	v := console.SignUpView{
		Locale:       loc,
		Brand:        h.brandView(r.Context(), t, loc.Lang),
		Limits:       pageLimits(),
		TenantName:   t.Name,
		Enabled:      t.Settings.Passkeys.AllowRegistration,
		PasskeyFirst: t.Settings.Passkeys.AllowRegistration && len(su.Required) <= 1,
		Captcha:      h.captchaView(t, h.signUp.Machine().CaptchaActions()),
	}
	for i, kind := range su.Identifiers {
		f := console.SignUpField{ID: "identifier", Kind: kind, Required: slices.Contains(su.Required, kind)}
		if i > 0 {
			f.ID = "identifier-" + kind
		}
		switch kind {
		case tenants.IdentifierEmail:
			f.Label, f.Type, f.Autocomplete = loc.T("sign_up.fields.email.label"), "email", "email"
		case tenants.IdentifierPhone:
			f.Label, f.Type, f.Autocomplete = loc.T("sign_up.fields.phone.label"), "tel", "tel"
			f.Hint = loc.T("sign_up.fields.phone.hint")
		default:
			f.Label, f.Type, f.Autocomplete = loc.T("sign_up.fields.username.label"), "text", "username"
			f.Hint = loc.T("sign_up.fields.username.hint")
		}
		v.Fields = append(v.Fields, f)
	}
	v.Connectors = h.connectorViews(r.Context(), t)
	h.Pages.SignUp(w, r, v)
}

// accountPage shows the signed-in user's passkeys and lets them add one.
func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	s, err := h.Session(r.Context(), r, t)
	if err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	creds, err := h.DB.ForTenant(t.ID).Credentials().ByUser(r.Context(), s.UserID, "")
	if err != nil {
		h.Logger.ErrorContext(r.Context(), "list passkeys", "err", err)
		http.Error(w, "Something went wrong on our side. Try again in a moment.", http.StatusInternalServerError)
		return
	}
	loc := h.Locale(w, r, t, "account")
	view := console.AccountView{
		Locale:            loc,
		Brand:             h.brandView(r.Context(), t, loc.Lang),
		Limits:            pageLimits(),
		TenantName:        t.Name,
		UserName:          s.User.DisplayName,
		AllowRegistration: t.Settings.Passkeys.AllowRegistration,
	}
	for _, c := range creds {
		pv := console.PasskeyView{
			ID:          c.ID.String(),
			Name:        c.Name,
			CreatedAt:   c.CreatedAt,
			LastUsedAt:  c.LastUsedAt,
			Synced:      c.BackupEligible && c.BackupState,
			DeviceBound: !c.BackupEligible,
		}
		if n, ok := passkey.AuthenticatorName(c.AAGUID); ok && n != c.Name {
			pv.Authenticator = n
		}
		view.Passkeys = append(view.Passkeys, pv)
	}
	h.Pages.Account(w, r, view)
}

// pageLimits are the flows' numbers the hosted pages show or check, read
// from the flows so that no page keeps a copy.
func pageLimits() console.Limits {
	return console.Limits{
		CodeMinutes:     int(flows.CodeTTL / time.Minute),
		CodeDigits:      totp.Digits,
		ReverifyMinutes: int(flows.RecentVerification / time.Minute),
		PasskeyNameMax:  passkey.NameMaxLen,
		TOTPSeconds:     totp.Period,
		ResendSeconds:   int(flows.CodeResendWait / time.Second),
	}
}

// Locale picks the page's language (console.Pick: ?lang=, the cookie,
// Accept-Language, the tenant's default_locale) and remembers a choice
// made with ?lang= for a year.
func (h *Handler) Locale(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, bundle string) console.Locale {
	var cookie string
	if c, err := r.Cookie(console.LangCookie); err == nil {
		cookie = c.Value
	}
	tag, chosen := console.Pick(r.URL.Query().Get("lang"), cookie, r.Header.Get("Accept-Language"), t.Settings.DefaultLocale)
	if chosen && tag != cookie {
		http.SetCookie(w, &http.Cookie{
			Name: console.LangCookie, Value: tag, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
		})
	}
	return h.Pages.Locale(tag, bundle)
}

// signOut ends the session (flows.Deps.SignOut: its tokens revoked, its
// applications told) and returns to the sign-in page.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := h.CheckPost(r, t, false); err != nil {
		h.Fail(w, r, err)
		return
	}
	if c, err := r.Cookie(h.sessionCookieName()); err == nil && c.Value != "" {
		if err := h.Deps.Deps.SignOut(r.Context(), t, c.Value); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.clearCookie(w, h.sessionCookieName())
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
