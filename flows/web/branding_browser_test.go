package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

func brandLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 40))
	for x := range 120 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{R: 26, G: 77, B: 46, A: 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// TestBranding_SignInPageShowsTheTenantsBrandUnderAStrictCSP: the logo
// loads from the tenant host, the primary colour reaches the buttons
// through the tenant's stylesheet, the custom heading and legal links show
// in each language, and the page's Content-Security-Policy keeps styles
// from any other host, or inline, from applying.
func TestBranding_SignInPageShowsTheTenantsBrandUnderAStrictCSP(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
		s.Branding = tenants.Branding{PrimaryColor: "#1a4d2e", Theme: tenants.ThemeLight,
			CustomCSS: "h1 { letter-spacing: 3px; }",
			Texts: map[string]tenants.BrandTexts{
				"en": {SignInHeading: "Welcome back to Acme", SignUpHeading: "Join Acme today", TermsURL: "https://acme.example/terms", PrivacyURL: "https://acme.example/privacy"},
				"es": {SignInHeading: "Hola de nuevo en Acme", TermsURL: "https://acme.example/es/terminos"},
			}}
	})
	_, err := srv.Tenants.SetLogo(context.Background(), acme.tenant, brandLogo(t))
	require.NoError(t, err)

	// A stylesheet on another origin that would paint the heading red.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		_, _ = w.Write([]byte("h1 { color: rgb(255, 0, 0) !important; }"))
	}))
	t.Cleanup(evil.Close)

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/?lang=en"))
	tab.WaitVisible(t, "#brand-logo")
	require.Equal(t, "Welcome back to Acme", tab.Text(t, "h1"))
	var loaded bool
	tab.Eval(t, `new Promise((resolve) => { const i = document.getElementById("brand-logo"); const ok = () => resolve(i.naturalWidth === 120); i.complete ? ok() : i.addEventListener("load", ok); })`, &loaded)
	require.True(t, loaded, "the logo loads from the tenant host")
	var style struct{ Button, Spacing, Background string }
	tab.Eval(t, `({ button: getComputedStyle(document.getElementById("continue")).backgroundColor,
		spacing: getComputedStyle(document.querySelector("h1")).letterSpacing,
		background: getComputedStyle(document.body).backgroundColor })`, &style)
	require.Equal(t, "rgb(26, 77, 46)", style.Button, "the primary colour reaches the buttons")
	require.Equal(t, "3px", style.Spacing, "the custom CSS applies")
	require.Equal(t, "rgb(244, 245, 248)", style.Background, "the light theme applies")
	require.Equal(t, "https://acme.example/terms", tab.Attr(t, "#terms-link", "href"))
	require.Equal(t, "Privacy", tab.Text(t, "#privacy-link"))
	tab.Screenshot(t, browser.ShotPath(t, "branding-sign-in.png"))

	// A style from another host, or inline, does not apply.
	var blocked struct {
		Color      string
		Violations []string
	}
	tab.Eval(t, `new Promise((resolve) => {
		const seen = [];
		document.addEventListener("securitypolicyviolation", (e) => seen.push(e.violatedDirective));
		const link = document.createElement("link");
		link.rel = "stylesheet";
		link.href = `+jsQuote(evil.URL+"/evil.css")+`;
		document.head.append(link);
		const inline = document.createElement("style");
		inline.textContent = "h1 { color: rgb(0, 0, 255) !important; }";
		document.head.append(inline);
		setTimeout(() => resolve({ color: getComputedStyle(document.querySelector("h1")).color, violations: seen }), 1500);
	})`, &blocked)
	require.NotEqual(t, "rgb(255, 0, 0)", blocked.Color, "a stylesheet of another host is blocked")
	require.NotEqual(t, "rgb(0, 0, 255)", blocked.Color, "an inline style is blocked")
	require.Contains(t, strings.Join(blocked.Violations, " "), "style-src", "the CSP reports the blocked styles")

	page := newAPIClient(t, srv, "acme").do(http.MethodGet, "/", nil, nil)
	csp := page.header.Get("Content-Security-Policy")
	for _, d := range []string{"style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'", "script-src 'self'"} {
		require.Contains(t, csp, d+";")
	}
	require.NotContains(t, csp, "unsafe-inline")

	tab.Navigate(t, acme.url("/sign-up"))
	tab.WaitText(t, "h1", "Join Acme today")
	require.True(t, tab.Has(t, "#brand-logo"), "the sign-up page shows the logo too")
	require.Equal(t, "https://acme.example/privacy", tab.Attr(t, "#privacy-link", "href"))

	tab.Navigate(t, acme.url("/?lang=es"))
	tab.WaitText(t, "h1", "Hola de nuevo en Acme")
	require.Equal(t, "https://acme.example/es/terminos", tab.Attr(t, "#terms-link", "href"))
	require.False(t, tab.Has(t, "#privacy-link"), "a link the language lacks is not shown")
	require.Equal(t, "Términos", tab.Text(t, "#terms-link"))
	tab.Navigate(t, acme.url("/?lang=zh-CN"))
	tab.WaitText(t, "h1", "登录 Acme")
	require.False(t, tab.Has(t, "#terms-link"))
}

func jsQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
