package console

import (
	"net/http"
	"time"
)

// SignInView is what the hosted sign-in page shows.
type SignInView struct {
	// Locale is the page's language (Pages.Locale with the sign_in bundle).
	Locale
	// Connectors are the tenant's social connectors, a button each.
	Connectors []ConnectorView
	// Limits are the server's numbers the page shows or checks.
	Limits     Limits
	TenantName string
	// PasskeySignIn is the tenant's passkey sign-in switch; ShowButton and
	// Autofill its two presentation options.
	PasskeySignIn bool
	ShowButton    bool
	Autofill      bool
	// AllowSignUp links to the sign-up page, at SignUpURL (which carries an
	// application's authorization request, so a sign-up returns to it).
	AllowSignUp bool
	SignUpURL   string
	// PasskeyOnly is set when an application asks for a phishing-resistant
	// sign-in (acr_values): the page offers the passkey and nothing else.
	PasskeyOnly bool
	// Captcha, when the tenant has a CAPTCHA on, is its widget; nil loads
	// nothing from any other host.
	Captcha *CaptchaView
	// Brand is the tenant's logo, stylesheet, headings and legal links.
	Brand BrandView
}

// CaptchaView is a CAPTCHA widget on a page.
type CaptchaView struct {
	// Provider is turnstile, recaptcha or hcaptcha.
	Provider string
	// SiteKey is the tenant's public site key.
	SiteKey string
	// ScriptURL is the provider's widget script.
	ScriptURL string
	// Actions are the flow actions that send the widget's token,
	// space-separated.
	Actions string
	// Sources are the origins the widget loads from, added to the page's
	// Content-Security-Policy.
	Sources []string
}

// SignUpView is what the hosted sign-up page shows.
type SignUpView struct {
	// Locale is the page's language (the sign_up bundle).
	Locale
	// Connectors are the tenant's social connectors, a button each.
	Connectors []ConnectorView
	// Limits are the server's numbers the page shows or checks.
	Limits     Limits
	TenantName string
	// Enabled is false when the tenant does not let users create
	// passkeys: no passkey-first sign-up and no passkey prompt.
	Enabled bool
	// PasskeyFirst offers "Create account with a passkey", which takes
	// one identifier: Enabled, and at most one kind required.
	PasskeyFirst bool
	// Fields are the identifiers the tenant takes, in its order.
	Fields []SignUpField
	// Captcha, when the tenant has a CAPTCHA on, guards the form's code
	// and password submissions (never the passkey ones).
	Captcha *CaptchaView
	// Brand is the tenant's logo, stylesheet, headings and legal links.
	Brand BrandView
}

// SignUpField is one identifier field of the sign-up form.
type SignUpField struct {
	// ID is the input's id: "identifier" for the first field, then
	// "identifier-" and the kind.
	ID string
	// Kind is email, phone or username: the sign_up input's field name.
	Kind         string
	Label        string
	Type         string
	Autocomplete string
	// Hint, when set, is shown under the label.
	Hint     string
	Required bool
}

// AccountView is what the signed-in account page shows.
type AccountView struct {
	// Locale is the page's language (the account bundle).
	Locale
	// Limits are the server's numbers the page shows or checks.
	Limits            Limits
	TenantName        string
	UserName          string
	Passkeys          []PasskeyView
	AllowRegistration bool
	// Brand is the tenant's logo, stylesheet, headings and legal links.
	Brand BrandView
}

// PasskeyView describes one passkey on the account page.
type PasskeyView struct {
	ID   string
	Name string
	// Authenticator is the authenticator's name from its AAGUID, when
	// known and different from Name.
	Authenticator string
	CreatedAt     time.Time
	LastUsedAt    *time.Time
	// Synced is true for a passkey backed up by its provider (BE and BS
	// set); DeviceBound when it cannot leave its device (BE unset).
	Synced      bool
	DeviceBound bool
}

// SignIn renders the hosted sign-in page.
func (p *Pages) SignIn(w http.ResponseWriter, r *http.Request, v SignInView) {
	var sources []string
	if v.Captcha != nil {
		sources = v.Captcha.Sources
	}
	if v.Locale.IsZero() {
		v.Locale = p.Locale(DefaultLanguage, "sign_in")
	}
	p.renderWith(w, r, http.StatusOK, "sign_in", v, sources)
}

// SignUp renders the hosted sign-up page.
func (p *Pages) SignUp(w http.ResponseWriter, r *http.Request, v SignUpView) {
	var sources []string
	if v.Captcha != nil {
		sources = v.Captcha.Sources
	}
	if v.Locale.IsZero() {
		v.Locale = p.Locale(DefaultLanguage, "sign_up")
	}
	p.renderWith(w, r, http.StatusOK, "sign_up", v, sources)
}

// Account renders the account page.
func (p *Pages) Account(w http.ResponseWriter, r *http.Request, v AccountView) {
	if v.Locale.IsZero() {
		v.Locale = p.Locale(DefaultLanguage, "account")
	}
	p.render(w, r, http.StatusOK, "account", v)
}

// NotFound serves the 404 page of a host.
func (p *Pages) NotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusNotFound, "not_found", NotFoundView{Host: r.Host, Path: r.URL.Path})
	})
}
