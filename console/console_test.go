package console_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
)

func TestPages_RenderWithEscapingAndSecurityHeaders(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)

	rec := httptest.NewRecorder()
	p.SignIn(rec, httptest.NewRequest(http.MethodGet, "/", nil), console.SignInView{TenantName: `<script>alert(1)</script>`, PasskeySignIn: true, ShowButton: true})
	require.Equal(t, http.StatusOK, rec.Code)
	require.NotContains(t, rec.Body.String(), "<script>alert(1)</script>")
	require.Contains(t, rec.Body.String(), "&lt;script&gt;")
	require.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'self'")
	require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))

	rec = httptest.NewRecorder()
	p.NotFound().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/missing", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.Contains(t, rec.Body.String(), "Page not found")

	rec = httptest.NewRecorder()
	p.Static().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/sesame.css", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/css")

	rec = httptest.NewRecorder()
	p.UnknownHost().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)

	rec = httptest.NewRecorder()
	p.AdminHome(console.AdminHomeView{BaseDomain: "localhost:8080", Scheme: "http"}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "http://acme.localhost:8080")
}

// TestAdminHome_LinksWhatTheREADMEPromises: the base host's home links the
// admin console, the demo tenant once it exists and, in development, the
// outbox; tenant hosts are explained with the real scheme and base domain.
func TestAdminHome_LinksWhatTheREADMEPromises(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	demo := ""
	view := console.AdminHomeView{
		BaseDomain: "localhost:8080", Scheme: "http",
		ConsoleURL: "http://admin.localhost:8080/console",
		OutboxURL:  "http://admin.localhost:8080/dev/outbox",
		DemoURL:    func(context.Context) string { return demo },
	}
	home := func(v console.AdminHomeView) string {
		rec := httptest.NewRecorder()
		p.AdminHome(v).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		return rec.Body.String()
	}

	body := home(view)
	require.Contains(t, body, `<a id="home-console" href="http://admin.localhost:8080/console">`)
	require.Contains(t, body, `<a id="home-outbox" href="http://admin.localhost:8080/dev/outbox">`)
	require.NotContains(t, body, "home-demo", "no demo tenant yet")
	require.Contains(t, body, "<code>http://acme.localhost:8080</code>")
	require.NotContains(t, body, "SLUG")

	demo = "http://demo.localhost:8080"
	require.Contains(t, home(view), `<a id="home-demo" href="http://demo.localhost:8080">`)

	view.OutboxURL, view.DemoURL = "", nil
	require.NotContains(t, home(view), "home-outbox", "only development has an outbox")
}

func TestAdminHome_DevelopmentOutboxListsMessagesEscaped(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	p.DevOutbox(rec, httptest.NewRequest(http.MethodGet, "/dev/outbox", nil), []console.OutboxMessageView{
		{Kind: "email", To: "a@example.com", Subject: "Your <b>Acme</b> code", Body: "Your Acme code is 123456.", SentAt: time.Now()},
	})
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "Your Acme code is 123456.")
	require.Contains(t, rec.Body.String(), "Your &lt;b&gt;Acme&lt;/b&gt; code")
}

// TestAdminHome_DevelopmentOutboxLeadsToTheConsole: the base host has no
// session, so its /dev/outbox lists nothing itself and leads to the admin
// host's page, which shows an administrator their tenants' codes.
func TestAdminHome_DevelopmentOutboxLeadsToTheConsole(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	h := p.AdminHome(console.AdminHomeView{BaseDomain: "localhost:8080", OutboxURL: "http://admin.localhost:8080/dev/outbox"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/outbox", nil))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.Equal(t, "http://admin.localhost:8080/dev/outbox", rec.Header().Get("Location"))
	require.NotContains(t, rec.Body.String(), "outbox-body")

	rec = httptest.NewRecorder()
	p.AdminHome(console.AdminHomeView{BaseDomain: "localhost:8080"}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/outbox", nil))
	require.Equal(t, http.StatusNotFound, rec.Code, "no outbox page without an outbox")
}

func TestSignIn_CaptchaWidgetAndItsHostsOnlyWhenOn(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)

	rec := httptest.NewRecorder()
	p.SignIn(rec, httptest.NewRequest(http.MethodGet, "/", nil), console.SignInView{TenantName: "Acme"})
	require.NotContains(t, rec.Body.String(), `id="captcha"`, "no widget")
	require.NotContains(t, rec.Body.String(), "captcha.js", "no widget script")
	require.NotContains(t, rec.Body.String(), "challenges.cloudflare.com", "nothing from another host")
	require.Equal(t, "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'", rec.Header().Get("Content-Security-Policy"))

	rec = httptest.NewRecorder()
	p.SignIn(rec, httptest.NewRequest(http.MethodGet, "/", nil), console.SignInView{TenantName: "Acme", Captcha: &console.CaptchaView{
		Provider: "turnstile", SiteKey: "site-key", ScriptURL: "https://challenges.cloudflare.com/turnstile/v0/api.js",
		Actions: "password code.send", Sources: []string{"https://challenges.cloudflare.com"},
	}})
	body := rec.Body.String()
	// The widget starts hidden: the page shows it only on the screens whose action it guards (password, code), never beside a passkey.
	require.Contains(t, body, `<div id="captcha" hidden data-provider="turnstile" data-site-key="site-key" data-script="https://challenges.cloudflare.com/turnstile/v0/api.js" data-actions="password code.send"></div>`)
	require.Contains(t, body, `<script type="module" src="/static/captcha.js"></script>`)
	csp := rec.Header().Get("Content-Security-Policy")
	for _, d := range []string{"script-src", "frame-src", "style-src", "connect-src"} {
		require.Contains(t, csp, d+" 'self' https://challenges.cloudflare.com;")
	}
	require.Contains(t, csp, "default-src 'self';")
	require.Contains(t, csp, "frame-ancestors 'none'")
}
