package web_test

import (
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

var htmlLang = regexp.MustCompile(`<html lang="([^"]+)">`)

// The hosted pages speak the language the person picked, else their
// browser's, else the tenant's default.
func TestPages_LanguageFromSwitcherCookieBrowserOrTenant(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	c := newAPIClient(t, srv, "acme")

	page := func(path string, headers map[string]string) (lang string, r apiResponse) {
		t.Helper()
		r = c.do(http.MethodGet, path, nil, headers)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		m := htmlLang.FindSubmatch(r.body)
		require.NotNil(t, m, "the page names its language")
		return string(m[1]), r
	}

	lang, r := page("/", nil)
	require.Equal(t, "en", lang, "nothing asked: the tenant's default, English")
	require.Contains(t, string(r.body), `<h1 id="page-title" tabindex="-1">Sign in to Acme</h1>`)
	require.Contains(t, r.header.Get("Vary"), "Accept-Language")

	lang, r = page("/sign-up", map[string]string{"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
	require.Equal(t, "es", lang)
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	es := catalog.Locale("es", "sign_up").T("sign_up.title", "tenant", "Acme")
	require.NotEqual(t, catalog.Locale("en", "sign_up").T("sign_up.title", "tenant", "Acme"), es)
	require.Contains(t, string(r.body), `<h1 id="page-title" tabindex="-1">`+html.EscapeString(es)+"</h1>")
	require.NotContains(t, string(r.body), "Create your Acme account")

	lang, _ = page("/", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})
	require.Equal(t, "zh-CN", lang)

	// The tenant's default when the browser asks for none Sesame speaks.
	srv.SetSettings(t, "acme", func(s *tenants.Settings) { s.DefaultLocale = "es" })
	lang, _ = page("/", map[string]string{"Accept-Language": "fr-FR,de;q=0.5"})
	require.Equal(t, "es", lang)

	// The switcher's choice wins over the browser and is remembered.
	lang, r = page("/?lang=zh-CN", map[string]string{"Accept-Language": "es"})
	require.Equal(t, "zh-CN", lang)
	require.Contains(t, r.header.Get("Set-Cookie"), "sesame_lang=zh-CN")
	require.Contains(t, r.header.Get("Set-Cookie"), "HttpOnly")
	lang, r = page("/sign-up", map[string]string{"Accept-Language": "es"})
	require.Equal(t, "zh-CN", lang)
	require.Empty(t, r.header.Get("Set-Cookie"), "a remembered choice is not set again")

	// A language Sesame does not speak changes nothing.
	lang, r = page("/?lang=fr", map[string]string{"Accept-Language": "es"})
	require.Equal(t, "zh-CN", lang)
	require.Empty(t, r.header.Get("Set-Cookie"))
}
