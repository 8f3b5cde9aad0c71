package captcha

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/sesame-id/sesame/tenants"
)

// The providers' widget scripts, loaded by the hosted sign-in page of a
// tenant that has a CAPTCHA on (and only then).
const (
	// TurnstileScript is Cloudflare Turnstile's widget script.
	TurnstileScript = "https://challenges.cloudflare.com/turnstile/v0/api.js"
	// ReCAPTCHAScript is Google reCAPTCHA's widget script.
	ReCAPTCHAScript = "https://www.google.com/recaptcha/api.js"
	// HCaptchaScript is hCaptcha's widget script.
	HCaptchaScript = "https://js.hcaptcha.com/1/api.js"
)

// Widget is what a page needs to show a provider's widget.
type Widget struct {
	// ScriptURL is the provider's widget script.
	ScriptURL string
	// Sources are the origins (or CSP source expressions) the widget loads
	// scripts, frames, styles and requests from, for the page's
	// Content-Security-Policy.
	Sources []string
}

// widgets are the real providers' scripts and the hosts their widgets use,
// from each provider's CSP documentation.
var widgets = map[string]Widget{
	tenants.CaptchaTurnstile: {ScriptURL: TurnstileScript, Sources: []string{"https://challenges.cloudflare.com"}},
	tenants.CaptchaReCAPTCHA: {ScriptURL: ReCAPTCHAScript, Sources: []string{"https://www.google.com/recaptcha/", "https://www.gstatic.com/recaptcha/", "https://recaptcha.google.com/recaptcha/"}},
	tenants.CaptchaHCaptcha:  {ScriptURL: HCaptchaScript, Sources: []string{"https://hcaptcha.com", "https://*.hcaptcha.com"}},
}

// WidgetFor returns provider's widget. A non-empty origin
// ("http://127.0.0.1:8555", a self-hosted mirror) replaces the scheme and
// host of the script URL, keeping the provider's path, and is then the
// only source. It reports false for off and unknown providers.
func WidgetFor(provider, origin string) (Widget, bool) {
	w, ok := widgets[provider]
	if !ok {
		return Widget{}, false
	}
	if origin != "" {
		u, _ := url.Parse(w.ScriptURL) // the constants parse
		w = Widget{ScriptURL: strings.TrimSuffix(origin, "/") + u.Path, Sources: []string{strings.TrimSuffix(origin, "/")}}
	}
	return w, true
}

// EndpointsAt returns the provider → siteverify URL map for
// VerifierConfig.Endpoints with each real endpoint's scheme and host
// replaced by origin, keeping its path; nil for "".
func EndpointsAt(origin string) map[string]string {
	if origin == "" {
		return nil
	}
	out := map[string]string{}
	for provider, endpoint := range map[string]string{
		tenants.CaptchaTurnstile: TurnstileEndpoint,
		tenants.CaptchaReCAPTCHA: ReCAPTCHAEndpoint,
		tenants.CaptchaHCaptcha:  HCaptchaEndpoint,
	} {
		u, _ := url.Parse(endpoint) // the constants parse
		out[provider] = strings.TrimSuffix(origin, "/") + u.Path
	}
	return out
}

// ValidateOrigin checks a server-wide override origin: an http or https
// URL with a host and no path, query or fragment. "" (no override) is
// valid.
func ValidateOrigin(origin string) error {
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an origin such as https://captcha.example.com or http://127.0.0.1:8555", origin)
	}
	return nil
}
