package console

import "net/http"

// RecoveryView is the hosted recovery page ("Lost your passkey?"): prove
// the account by a code or a backup code, create a new passkey, review
// the old ones (recover.js runs it screen by screen).
type RecoveryView struct {
	// Locale is the page's language (the recovery bundle).
	Locale
	// Limits are the server's numbers the page shows or checks.
	Limits     Limits
	TenantName string
	// Captcha, when the tenant has a CAPTCHA on, guards sending and
	// checking codes (never the passkey steps).
	Captcha *CaptchaView
	// Brand is the tenant's logo, stylesheet, headings and legal links.
	Brand BrandView
}

// Recovery renders the hosted recovery page.
func (p *Pages) Recovery(w http.ResponseWriter, r *http.Request, v RecoveryView) {
	var sources []string
	if v.Captcha != nil {
		sources = v.Captcha.Sources
	}
	if v.Locale.IsZero() {
		v.Locale = p.Locale(DefaultLanguage, "recovery")
	}
	p.renderWith(w, r, http.StatusOK, "recover", v, sources)
}
