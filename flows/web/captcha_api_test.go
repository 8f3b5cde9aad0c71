package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/password"
	fakesiteverify "github.com/sesame-id/sesame/internal/fake/siteverify"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

const captchaPassword = "correct horse battery staple"

// captchaSite is a tenant on a server whose CAPTCHA scripts and siteverify
// calls go to a fake on 127.0.0.1, through the real captcha.Verifier.
type captchaSite struct {
	srv  *testserver.Server
	fake *fakesiteverify.Server
	tn   *tenants.Tenant
}

func newCaptchaSite(t *testing.T, provider string) *captchaSite {
	t.Helper()
	fake := fakesiteverify.Start(t)
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{CaptchaOrigin: fake.URL})
	srv.CreateTenant(t, "acme", "Acme")
	tn := srv.SetSettings(t, "acme", func(s *tenants.Settings) { s.Captcha = fake.Captcha(provider) })
	return &captchaSite{srv: srv, fake: fake, tn: tn}
}

// passwordUser creates email with captchaPassword and no passkey.
func (s *captchaSite) passwordUser(t *testing.T, email string) *db.User {
	t.Helper()
	hash, err := password.Hash(captchaPassword)
	require.NoError(t, err)
	u := &db.User{WebAuthnHandle: []byte(email), DisplayName: email}
	scope := s.srv.DB.ForTenant(s.tn.ID)
	require.NoError(t, scope.Users().Create(context.Background(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: email}))
	require.NoError(t, scope.Users().SetPassword(context.Background(), u.ID, hash))
	return u
}

// identified starts a sign-in flow for email, now in choose_method.
func identified(t *testing.T, c *apiClient, email string) string {
	t.Helper()
	r := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Equal(t, "choose_method", r.json(t)["flow"].(map[string]any)["state"])
	return apiFlowToken(t, r)
}

func withCaptcha(token, captcha string) map[string]string {
	h := map[string]string{"X-Sesame-Flow": token}
	if captcha != "" {
		h["X-Sesame-Captcha"] = captcha
	}
	return h
}

func TestCaptchaOff_PasswordNeedsNoToken(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	s.tn = s.srv.SetSettings(t, "acme", func(st *tenants.Settings) { st.Captcha = tenants.Captcha{Provider: tenants.CaptchaOff} })
	u := s.passwordUser(t, "plain@example.com")
	c := newAPIClient(t, s.srv, "acme")

	token := identified(t, c, u.DisplayName)
	r := c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, ""))
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.NotNil(t, r.json(t)["session"])
	require.Empty(t, s.fake.Requests(), "no siteverify call with the CAPTCHA off")

	page := newAPIClient(t, s.srv, "acme").do(http.MethodGet, "/", nil, nil)
	require.Equal(t, http.StatusOK, page.status)
	require.NotContains(t, string(page.body), `id="captcha"`)
	require.NotContains(t, string(page.body), "captcha.js")
	require.NotContains(t, string(page.body), s.fake.URL)
	require.NotContains(t, page.header.Get("Content-Security-Policy"), s.fake.URL)
	require.True(t, strings.HasPrefix(page.header.Get("Content-Security-Policy"), "default-src 'self'; img-src 'self' data:;"))
}

func TestCaptchaOn_PasswordNeedsAGoodToken(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{tenants.CaptchaTurnstile, tenants.CaptchaReCAPTCHA, tenants.CaptchaHCaptcha} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			s := newCaptchaSite(t, provider)
			u := s.passwordUser(t, "guarded@example.com")
			c := newAPIClient(t, s.srv, "acme")
			token := identified(t, c, u.DisplayName)
			scope := s.srv.DB.ForTenant(s.tn.ID)
			before, err := scope.Flows().ByToken(context.Background(), flows.HashToken(token))
			require.NoError(t, err)

			// No token: refused without asking the provider.
			r := c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, ""))
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Equal(t, "captcha_required", r.errorCode(t))
			require.Empty(t, s.fake.Requests())

			// A token the provider does not know: refused.
			r = c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, "made-up-token"))
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "captcha_failed", r.errorCode(t))
			require.NotContains(t, string(r.body), "invalid-input-response", "the provider's answer stays on the server")

			// Neither refusal touched the flow.
			after, err := scope.Flows().ByToken(context.Background(), flows.HashToken(token))
			require.NoError(t, err)
			require.Equal(t, before.Version, after.Version)
			require.Equal(t, before.State, after.State)

			// A good token: the password is checked and signs in.
			s.fake.Accept("solved-" + provider)
			r = c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, "solved-"+provider))
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.NotNil(t, r.json(t)["session"])

			// The siteverify call carried the tenant's secret, the token and
			// the client's IP.
			reqs := s.fake.Requests()
			require.Len(t, reqs, 2)
			last := reqs[1]
			require.Equal(t, provider, last.Provider)
			require.Equal(t, s.fake.Secret, last.Form.Get("secret"))
			require.Equal(t, "solved-"+provider, last.Form.Get("response"))
			require.Equal(t, "127.0.0.1", last.Form.Get("remoteip"))

			// A token works once.
			token = identified(t, c, u.DisplayName)
			r = c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, "solved-"+provider))
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "captcha_failed", r.errorCode(t))
		})
	}
}

func TestCaptchaOn_CodeSendAndVerifyNeedAToken(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	u := s.passwordUser(t, "coder@example.com")
	c := newAPIClient(t, s.srv, "acme")
	token := identified(t, c, u.DisplayName)

	r := c.post("/api/flows/sign-in/code.send", map[string]any{}, withCaptcha(token, ""))
	require.Equal(t, "captcha_required", r.errorCode(t))
	s.fake.Accept("send-token")
	r = c.post("/api/flows/sign-in/code.send", map[string]any{}, withCaptcha(token, "send-token"))
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "code", r.json(t)["flow"].(map[string]any)["state"])

	r = c.post("/api/flows/sign-in/code.verify", map[string]any{"code": "000000"}, withCaptcha(token, ""))
	require.Equal(t, "captcha_required", r.errorCode(t))
	s.fake.Accept("verify-token")
	r = c.post("/api/flows/sign-in/code.verify", map[string]any{"code": "000000"}, withCaptcha(token, "verify-token"))
	// Past the CAPTCHA, the code itself is checked (and it is wrong, or
	// not even made yet by the job).
	require.Contains(t, []string{"invalid_code", "code_expired"}, r.errorCode(t))
}

func TestCaptchaOn_PasskeySignInNeedsNoToken(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaHCaptcha)
	c := newAPIClient(t, s.srv, "acme")
	dev := newAPIDevice(s.srv, "acme")
	// Sign-up proves the address by a code: identify and code.verify are
	// guarded.
	s.fake.Accept("identify-token")
	s.fake.Accept("verify-token")
	apiSignUp(t, c, dev, "keyholder@example.com", "identify-token", "verify-token")
	asked := len(s.fake.Requests())

	fresh := newAPIClient(t, s.srv, "acme")
	r := fresh.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	r = fresh.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": dev.get(t, apiPublicKey(t, r))}, withCaptcha(token, ""))
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.NotNil(t, r.json(t)["session"])
	require.Len(t, s.fake.Requests(), asked, "the passkey sign-in never asks the CAPTCHA provider")
}

func TestCaptchaOn_SiteverifyDownRefusesTheSubmission(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaReCAPTCHA)
	u := s.passwordUser(t, "outage@example.com")
	c := newAPIClient(t, s.srv, "acme")
	token := identified(t, c, u.DisplayName)

	// The provider answers 503: refused, and the token is not blamed.
	s.fake.Accept("good-token")
	s.fake.FailNext(http.StatusServiceUnavailable)
	r := c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, "good-token"))
	require.Equal(t, http.StatusServiceUnavailable, r.status, string(r.body))
	require.Equal(t, "captcha_unavailable", r.errorCode(t))
	require.Contains(t, string(r.body), "The CAPTCHA cannot be checked right now.")

	// The provider unreachable: refused the same way (fail closed).
	s.fake.Close()
	r = c.post("/api/flows/sign-in/password", map[string]any{"password": captchaPassword}, withCaptcha(token, "good-token"))
	require.Equal(t, http.StatusServiceUnavailable, r.status, string(r.body))
	require.Equal(t, "captcha_unavailable", r.errorCode(t))
}

func TestCaptchaOn_SignInPageLoadsTheWidgetFromItsHostOnly(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	c := newAPIClient(t, s.srv, "acme")
	page := c.do(http.MethodGet, "/", nil, nil)
	require.Equal(t, http.StatusOK, page.status)
	body := string(page.body)
	require.Contains(t, body, `data-site-key="`+s.fake.SiteKey+`"`)
	require.Contains(t, body, `data-script="`+s.fake.URL+fakesiteverify.TurnstileScriptPath+`"`)
	require.Contains(t, body, `data-actions="password code.send code.verify"`)
	require.Contains(t, body, `src="/static/captcha.js"`)
	require.NotContains(t, body, s.fake.Secret)
	csp := page.header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self' "+s.fake.URL+";")
	require.Contains(t, csp, "frame-src 'self' "+s.fake.URL+";")
	require.NotContains(t, csp, "cloudflare")
}

func TestCaptchaOn_SignUpByFormAndByPasskeyNeedAToken(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	c := newAPIClient(t, s.srv, "acme")

	// The form path (identifiers → code → password) is guarded.
	start := map[string]any{"action": "sign_up", "input": map[string]any{"email": "new@example.com"}}
	r := c.post("/api/flows/sign-up", start, nil)
	require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
	require.Equal(t, "captcha_required", r.errorCode(t))
	require.Empty(t, s.fake.Requests())
	s.fake.Accept("solved")
	r = c.post("/api/flows/sign-up", start, map[string]string{"X-Sesame-Captcha": "solved"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	r = c.post("/api/flows/sign-up/code.send", map[string]any{}, withCaptcha(token, ""))
	require.Equal(t, "captcha_required", r.errorCode(t))
	r = c.post("/api/flows/sign-up/code.verify", map[string]any{"code": "000000"}, withCaptcha(token, ""))
	require.Equal(t, "captcha_required", r.errorCode(t))

	// So is the passkey path's identify, which sends a code to the address
	// as sign_up does.
	identify := map[string]any{"action": "identify", "input": map[string]any{"identifier": "pk@example.com"}}
	r = c.post("/api/flows/sign-up", identify, nil)
	require.Equal(t, "captcha_required", r.errorCode(t))
	s.fake.Accept("identify-token")
	r = c.post("/api/flows/sign-up", identify, map[string]string{"X-Sesame-Captcha": "identify-token"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Equal(t, "verify", r.json(t)["flow"].(map[string]any)["state"])

	// The page carries the widget for exactly the guarded actions.
	page := c.do(http.MethodGet, "/sign-up", nil, nil)
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, string(page.body), `data-actions="identify sign_up code.send code.verify password"`)
	require.Contains(t, page.header.Get("Content-Security-Policy"), s.fake.URL)
}
