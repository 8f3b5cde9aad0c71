// Package fakesiteverify is an in-process stand-in for the siteverify APIs
// of Cloudflare Turnstile, Google reCAPTCHA and hCaptcha, served on
// 127.0.0.1, so that tests drive the real captcha.Verifier: pass
// Server.Endpoints as captcha.VerifierConfig.Endpoints.
//
// It also serves a fake widget at the providers' script paths (see
// widget.go): a checkbox that, once ticked, hands the page a token this
// fake accepts, so a browser test can complete the CAPTCHA.
//
// Like the real services it takes a form-encoded POST of secret, response,
// remoteip (and sitekey for hCaptcha), answers JSON with success and
// error-codes, accepts each token once, and checks the secret. Tokens are
// only those a test registered with Accept or AcceptScore.
package fakesiteverify

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/sesame-id/sesame/tenants"
)

// Paths of the siteverify APIs, the same as the real services'.
const (
	// TurnstilePath is Cloudflare Turnstile's siteverify path.
	TurnstilePath = "/turnstile/v0/siteverify"
	// ReCAPTCHAPath is Google reCAPTCHA's siteverify path.
	ReCAPTCHAPath = "/recaptcha/api/siteverify"
	// HCaptchaPath is hCaptcha's siteverify path.
	HCaptchaPath = "/siteverify"
)

// Hostname is the hostname the fake reports a token was solved on.
const Hostname = "localhost"

// Request is one request that reached a siteverify path.
type Request struct {
	// Provider is the provider whose path was requested
	// (tenants.CaptchaTurnstile, tenants.CaptchaReCAPTCHA or
	// tenants.CaptchaHCaptcha).
	Provider string
	// Method and ContentType are the request's.
	Method      string
	ContentType string
	// Form is the request's parsed body (secret, response, remoteip,
	// sitekey …); nil if it did not parse.
	Form url.Values
	// Received is when the fake got the request.
	Received time.Time
}

// token is a registered token.
type token struct {
	score *float64 // reCAPTCHA v3 score; nil answers without one (v2)
	used  bool
}

// Server is a fake siteverify service for all three providers. Its methods
// are safe for concurrent use.
type Server struct {
	// Secret is the only secret the fake accepts; random per server.
	Secret string
	// SiteKey is the site key registered with Secret; random per server.
	// An hCaptcha request naming another site key answers
	// sitekey-secret-mismatch, as hCaptcha does.
	SiteKey string
	// URL is the fake's base URL, "http://127.0.0.1:port".
	URL string

	srv *httptest.Server

	mu        sync.Mutex
	tokens    map[string]*token
	requests  []Request
	overrides []http.HandlerFunc
	scripts   int
	solved    []string
}

// Start starts a fake siteverify service on 127.0.0.1, closed when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		Secret:  "0x" + randomHex(20),
		SiteKey: randomHex(16),
		tokens:  map[string]*token{},
	}
	mux := http.NewServeMux()
	mux.Handle(TurnstilePath, s.handler(tenants.CaptchaTurnstile))
	mux.Handle(ReCAPTCHAPath, s.handler(tenants.CaptchaReCAPTCHA))
	mux.Handle(HCaptchaPath, s.handler(tenants.CaptchaHCaptcha))
	for path, global := range widgetGlobals {
		mux.Handle("GET "+path, s.scriptHandler(global))
	}
	mux.HandleFunc(SolvePath, s.solve)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the fake; requests afterwards find nothing listening
// (connection refused). Start already arranges it for the test's end.
func (s *Server) Close() { s.srv.Close() }

// Endpoints returns the provider → siteverify URL map for
// captcha.VerifierConfig.Endpoints.
func (s *Server) Endpoints() map[string]string {
	return map[string]string{
		tenants.CaptchaTurnstile: s.URL + TurnstilePath,
		tenants.CaptchaReCAPTCHA: s.URL + ReCAPTCHAPath,
		tenants.CaptchaHCaptcha:  s.URL + HCaptchaPath,
	}
}

// Captcha returns tenant settings for provider that match the fake's site
// key and secret.
func (s *Server) Captcha(provider string) tenants.Captcha {
	return tenants.Captcha{Provider: provider, SiteKey: s.SiteKey, Secret: s.Secret}
}

// Accept registers token as one a visitor obtained by solving the widget:
// the first siteverify request with it and the right secret succeeds, on
// any provider's path; later ones answer timeout-or-duplicate
// (invalid-or-already-seen-response on hCaptcha's path). reCAPTCHA answers
// carry no score, as v2's do.
func (s *Server) Accept(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = &token{}
}

// AcceptScore is Accept for a reCAPTCHA v3 token: its reCAPTCHA answer
// carries score (0.0 bot … 1.0 human) and the action "submit".
func (s *Server) AcceptScore(tok string, score float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = &token{score: &score}
}

// FailNext makes the next request to any siteverify path answer the HTTP
// status with a plain-text body, as an outage or a load balancer would.
// Calls queue up: n calls fail the next n requests.
func (s *Server) FailNext(status int) {
	s.InterceptNext(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, fmt.Sprintf("%d %s", status, http.StatusText(status)), status)
	})
}

// InterceptNext has h answer the next request to any siteverify path
// instead of the fake, for answers FailNext does not cover: malformed JSON,
// or a handler that stalls to exercise the caller's timeout (it should
// return once r.Context() is done, or the fake's shutdown waits for it).
// The request is recorded all the same. Calls queue up with FailNext's.
func (s *Server) InterceptNext(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides = append(s.overrides, h)
}

// Requests returns the requests that reached a siteverify path, oldest
// first, failed and intercepted ones included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Form = cloneValues(r.Form)
		out[i] = r
	}
	return out
}

func (s *Server) handler(provider string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := Request{Provider: provider, Method: r.Method, ContentType: r.Header.Get("Content-Type"), Received: time.Now()}
		formErr := r.ParseForm()
		if formErr == nil {
			rec.Form = cloneValues(r.PostForm)
		}

		s.mu.Lock()
		s.requests = append(s.requests, rec)
		var override http.HandlerFunc
		if len(s.overrides) > 0 {
			override = s.overrides[0]
			s.overrides = s.overrides[1:]
		}
		s.mu.Unlock()

		if override != nil {
			override(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		if formErr != nil {
			s.fail(w, "bad-request")
			return
		}
		s.verify(w, provider, r.PostForm)
	}
}

// verify answers a well-formed request the way the provider would.
func (s *Server) verify(w http.ResponseWriter, provider string, form url.Values) {
	secret, response := form.Get("secret"), form.Get("response")
	switch {
	case secret == "":
		s.fail(w, "missing-input-secret")
		return
	case secret != s.Secret:
		s.fail(w, "invalid-input-secret")
		return
	case response == "":
		s.fail(w, "missing-input-response")
		return
	case provider == tenants.CaptchaHCaptcha && form.Get("sitekey") != "" && form.Get("sitekey") != s.SiteKey:
		s.fail(w, "sitekey-secret-mismatch")
		return
	}

	s.mu.Lock()
	tok, known := s.tokens[response]
	used := known && tok.used
	if known {
		tok.used = true
	}
	s.mu.Unlock()
	switch {
	case !known:
		s.fail(w, "invalid-input-response")
		return
	case used && provider == tenants.CaptchaHCaptcha:
		s.fail(w, "invalid-or-already-seen-response")
		return
	case used:
		s.fail(w, "timeout-or-duplicate")
		return
	}

	ts := time.Now().UTC()
	switch provider {
	case tenants.CaptchaTurnstile:
		writeJSON(w, map[string]any{
			"success":      true,
			"error-codes":  []string{},
			"challenge_ts": ts.Format("2006-01-02T15:04:05.000Z"),
			"hostname":     Hostname,
			"action":       "",
			"cdata":        "",
			"metadata":     map[string]any{"interactive": false},
		})
	case tenants.CaptchaReCAPTCHA:
		a := map[string]any{
			"success":      true,
			"challenge_ts": ts.Format("2006-01-02T15:04:05Z07:00"),
			"hostname":     Hostname,
		}
		if tok.score != nil {
			a["score"] = *tok.score
			a["action"] = "submit"
		}
		writeJSON(w, a)
	default: // hCaptcha
		writeJSON(w, map[string]any{
			"success":      true,
			"challenge_ts": ts.Format("2006-01-02T15:04:05.000000"),
			"hostname":     Hostname,
			"credit":       false,
		})
	}
}

// fail answers a rejected request: HTTP 200 with success false, as all
// three providers do.
func (s *Server) fail(w http.ResponseWriter, code string) {
	writeJSON(w, map[string]any{"success": false, "error-codes": []string{code}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b)
}
