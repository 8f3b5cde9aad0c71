// Package captcha checks CAPTCHA tokens with the tenant's provider —
// Cloudflare Turnstile, Google reCAPTCHA or hCaptcha — through each
// provider's siteverify API.
//
// A tenant that enables a CAPTCHA has it guard password and code
// submissions, never the passkey paths. The page puts the widget's token in
// the submitted form; the handler calls [Verifier.Verify] before it looks at
// the password or code.
//
// Verify's errors fall in two groups that callers must tell apart with
// errors.Is:
//
//   - [ErrMissingToken] and [ErrFailed]: the visitor did not pass the
//     CAPTCHA. Show "Complete the CAPTCHA and try again" and let them retry
//     with a fresh token.
//   - [ErrUnavailable]: the check could not be made (the provider is
//     unreachable, slow or answered nonsense, or the tenant's settings are
//     unusable). Sesame fails closed: the submission is refused, as if the
//     CAPTCHA had failed, but logged as an outage rather than blamed on the
//     visitor. A CAPTCHA that an outage switches off would be switched off
//     by anyone able to cause one.
//
// The tenant's secret is sent only in the request body to the provider; it
// never appears in an error, and this package logs nothing.
package captcha

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesame-id/sesame/tenants"
)

// Default siteverify endpoints of the providers.
const (
	// TurnstileEndpoint is Cloudflare Turnstile's siteverify API.
	TurnstileEndpoint = "https://challenges.cloudflare.com/turnstile/v0/siteverify"
	// ReCAPTCHAEndpoint is Google reCAPTCHA's siteverify API.
	ReCAPTCHAEndpoint = "https://www.google.com/recaptcha/api/siteverify"
	// HCaptchaEndpoint is hCaptcha's siteverify API.
	HCaptchaEndpoint = "https://api.hcaptcha.com/siteverify"
)

// Defaults of VerifierConfig.
const (
	// DefaultTimeout bounds one siteverify call.
	DefaultTimeout = 5 * time.Second
	// DefaultMinScore is the lowest reCAPTCHA v3 score accepted.
	DefaultMinScore = 0.5
)

// MaxTokenLength is the longest token Verify sends to a provider; a longer
// one fails with ErrFailed without a request. Real tokens are far shorter
// (Turnstile's are at most 2048 characters); the bound only keeps a client
// from making Sesame forward an arbitrarily large body.
const MaxTokenLength = 16 << 10

// maxAnswerBytes bounds the provider's answer that Verify reads.
const maxAnswerBytes = 64 << 10

var (
	// ErrMissingToken means the submission carried no CAPTCHA token: the
	// visitor did not complete the widget (or the page did not send its
	// token). Verify refuses it without calling the provider. Show
	// "Complete the CAPTCHA and try again".
	ErrMissingToken = errors.New("captcha: missing token")

	// ErrFailed means the provider rejected the token: it is invalid,
	// expired or already used, the secret does not match, or (reCAPTCHA
	// v3) the score is below VerifierConfig.MinScore. Show "Complete the
	// CAPTCHA and try again". The returned error wraps it and names the
	// provider's error codes, which are safe to log.
	ErrFailed = errors.New("captcha: verification failed")

	// ErrUnavailable means the token could not be checked: a network
	// error, a timeout (or the caller's context ending), an answer other
	// than 2xx, an answer that is not the provider's JSON, or tenant
	// settings naming no usable provider or secret. The caller decides
	// what to do; Sesame fails closed and refuses the submission.
	ErrUnavailable = errors.New("captcha: verification unavailable")
)

// VerifierConfig configures a Verifier. The zero value is ready for
// production use.
type VerifierConfig struct {
	// HTTPClient sends the siteverify requests. Default: a client of its
	// own using http.DefaultTransport that does not follow redirects.
	HTTPClient *http.Client
	// Timeout bounds each siteverify call, on top of the caller's context.
	// Default DefaultTimeout (5s).
	Timeout time.Duration
	// Endpoints maps a provider (tenants.CaptchaTurnstile,
	// tenants.CaptchaReCAPTCHA, tenants.CaptchaHCaptcha) to the URL of its
	// siteverify API, for tests. Providers it does not name use the real
	// endpoints (TurnstileEndpoint, ReCAPTCHAEndpoint, HCaptchaEndpoint).
	Endpoints map[string]string
	// MinScore is the lowest reCAPTCHA v3 score (0.0 bot … 1.0 human)
	// accepted; answers with a lower score fail with ErrFailed. reCAPTCHA
	// v2 answers carry no score and are not affected. Zero, or a value
	// outside 0 to 1, means DefaultMinScore (0.5).
	MinScore float64
}

// Verifier checks CAPTCHA tokens against the tenant's provider. It is safe
// for concurrent use.
type Verifier struct {
	client    *http.Client
	timeout   time.Duration
	endpoints map[string]string
	minScore  float64
}

// NewVerifier returns a Verifier configured by cfg, filling in defaults.
func NewVerifier(cfg VerifierConfig) *Verifier {
	v := &Verifier{
		client:   cfg.HTTPClient,
		timeout:  cfg.Timeout,
		minScore: cfg.MinScore,
		endpoints: map[string]string{
			tenants.CaptchaTurnstile: TurnstileEndpoint,
			tenants.CaptchaReCAPTCHA: ReCAPTCHAEndpoint,
			tenants.CaptchaHCaptcha:  HCaptchaEndpoint,
		},
	}
	if v.client == nil {
		// The siteverify APIs do not redirect; following one would send
		// the secret somewhere else. A 3xx answer is ErrUnavailable.
		v.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	if v.timeout <= 0 {
		v.timeout = DefaultTimeout
	}
	if v.minScore <= 0 || v.minScore > 1 {
		v.minScore = DefaultMinScore
	}
	for provider, endpoint := range cfg.Endpoints {
		if _, known := v.endpoints[provider]; known && endpoint != "" {
			v.endpoints[provider] = endpoint
		}
	}
	return v
}

// answer is the siteverify JSON all three providers share, plus
// reCAPTCHA v3's score.
type answer struct {
	Success    *bool    `json:"success"`
	ErrorCodes []string `json:"error-codes"`
	Hostname   string   `json:"hostname"`
	Score      *float64 `json:"score"`
	Action     string   `json:"action"`
}

// Verify checks token, the response the CAPTCHA widget gave the visitor,
// with the provider cfg names; remoteIP, the visitor's IP address, is sent
// along when not empty.
//
// It returns nil when the provider accepted the token, or at once, without
// a request, when cfg.Provider is off. Otherwise it returns an error
// wrapping ErrMissingToken, ErrFailed or ErrUnavailable; see the package
// documentation for what the caller should do with each. The error never
// contains cfg.Secret.
func (v *Verifier) Verify(ctx context.Context, cfg tenants.Captcha, token, remoteIP string) error {
	if cfg.Provider == tenants.CaptchaOff {
		return nil
	}
	endpoint, ok := v.endpoints[cfg.Provider]
	if !ok {
		return fmt.Errorf("%w: unknown provider %q", ErrUnavailable, cfg.Provider)
	}
	if cfg.Secret == "" {
		return fmt.Errorf("%w: %s has no secret configured", ErrUnavailable, cfg.Provider)
	}
	if token == "" {
		return ErrMissingToken
	}
	if len(token) > MaxTokenLength {
		return fmt.Errorf("%w: %s token longer than %d bytes", ErrFailed, cfg.Provider, MaxTokenLength)
	}

	form := url.Values{"secret": {cfg.Secret}, "response": {token}}
	if remoteIP != "" {
		form.Set("remoteip", remoteIP)
	}
	if cfg.Provider == tenants.CaptchaHCaptcha && cfg.SiteKey != "" {
		// hCaptcha checks that the token was issued for this site key.
		form.Set("sitekey", cfg.SiteKey)
	}

	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		// Only a malformed endpoint gets here; the URL holds no secret.
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, cfg.Provider, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := v.client.Do(req)
	if err != nil {
		// A *url.Error names the method and endpoint, never the body that
		// carries the secret.
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, cfg.Provider, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))
		return fmt.Errorf("%w: %s siteverify answered HTTP %d", ErrUnavailable, cfg.Provider, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return fmt.Errorf("%w: %s: reading the answer: %w", ErrUnavailable, cfg.Provider, err)
	}
	if len(body) > maxAnswerBytes {
		return fmt.Errorf("%w: %s siteverify answer larger than %d bytes", ErrUnavailable, cfg.Provider, maxAnswerBytes)
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		// Deliberately not wrapping err: the body is the provider's, and
		// nothing of it belongs in an error.
		return fmt.Errorf("%w: %s siteverify answer is not JSON", ErrUnavailable, cfg.Provider)
	}
	if a.Success == nil {
		return fmt.Errorf("%w: %s siteverify answer has no success field", ErrUnavailable, cfg.Provider)
	}
	if !*a.Success {
		return fmt.Errorf("%w: %s rejected the token (%s)", ErrFailed, cfg.Provider, codes(a.ErrorCodes, cfg.Secret))
	}
	// Only reCAPTCHA's score means "likely human" when high; hCaptcha
	// Enterprise's runs the other way, so it is not checked here.
	if cfg.Provider == tenants.CaptchaReCAPTCHA && a.Score != nil && *a.Score < v.minScore {
		return fmt.Errorf("%w: %s score %.2f below %.2f", ErrFailed, cfg.Provider, *a.Score, v.minScore)
	}
	return nil
}

// codes formats the provider's error codes for an error message. Codes
// are short lowercase words with dashes; anything else, and anything that
// contains the secret, is shown as "unrecognised", so that nothing else of
// the answer reaches a log.
func codes(list []string, secret string) string {
	if len(list) == 0 {
		return "no error codes"
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		if !plainCode(c) || strings.Contains(c, secret) {
			c = "unrecognised"
		}
		out = append(out, c)
	}
	return strings.Join(out, ", ")
}

// plainCode reports whether c looks like a siteverify error code.
func plainCode(c string) bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
