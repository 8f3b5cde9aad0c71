package console_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
)

// The console's pages speak the language the browser asks for, or the one
// the admin host's sign-in page remembered in the language cookie, like
// the hosted pages; English when it asks for none Sesame speaks.
func TestConsole_PagesSpeakTheRequestsLanguage(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	getAt := func(path, header, cookie string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if header != "" {
			r.Header.Set("Accept-Language", header)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: console.LangCookie, Value: cookie})
		}
		return r
	}
	get := func(header, cookie string) *http.Request { return getAt("/console", header, cookie) }
	for _, tc := range []struct {
		name, header, cookie, lang, heading string
	}{
		{name: "English by default", lang: "en", heading: "<h1>Sesame console</h1>"},
		{name: "Spanish by Accept-Language", header: "es-MX,es;q=0.9", lang: "es", heading: "<h1>Consola de Sesame</h1>"},
		{name: "Chinese by Accept-Language", header: "zh-CN", lang: "zh-CN", heading: "<h1>Sesame 控制台</h1>"},
		{name: "the cookie before Accept-Language", header: "es", cookie: "zh-CN", lang: "zh-CN", heading: "<h1>Sesame 控制台</h1>"},
		{name: "English for a language Sesame lacks", header: "fr", lang: "en", heading: "<h1>Sesame console</h1>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			p.Console(rec, get(tc.header, tc.cookie), console.ConsoleView{AdminName: "Ada"})
			body := rec.Body.String()
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, body, `<html lang="`+tc.lang+`">`)
			require.Contains(t, body, tc.heading)
			require.Contains(t, body, `"console.tenants.title":`, "the console script gets its strings")
		})
	}

	rec := httptest.NewRecorder()
	p.Setup(rec, get("es", ""), console.SetupView{TenantName: "Acme"})
	require.Contains(t, rec.Body.String(), "Te damos la bienvenida a Acme")
	require.Contains(t, rec.Body.String(), `"console.setup.unsupported":`)

	rec = httptest.NewRecorder()
	p.AdminHome(console.AdminHomeView{BaseDomain: "localhost:8080"}).ServeHTTP(rec, getAt("/", "zh-CN", ""))
	require.Contains(t, rec.Body.String(), "这是 Sesame 的管理主机。")

	rec = httptest.NewRecorder()
	p.DevOutbox(rec, get("es", ""), nil)
	require.Contains(t, rec.Body.String(), "Aún no se envió nada.")
}
