package locale

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestCatalog_EveryLanguageHasEveryKeyOfEnglish(t *testing.T) {
	t.Parallel()
	c, err := LoadCatalog()
	require.NoError(t, err)
	en := c.Keys("en")
	require.NotEmpty(t, en)
	for _, l := range Languages {
		require.Equal(t, en, c.Keys(l.Tag), "keys of %s", l.Tag)
	}
	// The catalog's tags are the languages tenants may choose.
	require.Equal(t, []string{"en", "es", "zh-CN"}, []string{Languages[0].Tag, Languages[1].Tag, Languages[2].Tag})
}

// localeFiles builds a locale tree: lang → namespace → JSON.
func localeFiles(files map[string]map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for lang, nss := range files {
		for ns, body := range nss {
			m["locales/"+lang+"/"+ns+".json"] = &fstest.MapFile{Data: []byte(body)}
		}
	}
	return m
}

func TestCatalog_RefusesALanguageThatDiffersFromEnglish(t *testing.T) {
	t.Parallel()
	good := `{"title": "Sign in to {tenant}", "mfa": {"title": "2-step"}}`
	cases := map[string]struct {
		es, zh string
		want   string
	}{
		"a key missing":         {es: `{"title": "Inicia sesión en {tenant}"}`, zh: good, want: `es lacks "p.mfa.title"`},
		"a key English lacks":   {es: `{"title": "x {tenant}", "mfa": {"title": "y"}, "extra": "z"}`, zh: good, want: `es has "p.extra", which English lacks`},
		"another placeholder":   {es: good, zh: `{"title": "登录 {name}", "mfa": {"title": "两步"}}`, want: `zh-CN "p.title" has placeholders [name], English has [tenant]`},
		"an empty value":        {es: `{"title": " ", "mfa": {"title": "y"}}`, zh: good, want: "p.title is empty"},
		"a value not a string":  {es: `{"title": 3, "mfa": {"title": "y"}}`, zh: good, want: "p.title is a float64"},
		"a file that is broken": {es: `{"title": `, zh: good, want: "locales/es/p.json"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadCatalog(localeFiles(map[string]map[string]string{
				"en": {"p": good}, "es": {"p": tc.es}, "zh-CN": {"p": tc.zh},
			}), "locales")
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := loadCatalog(localeFiles(map[string]map[string]string{"en": {"p": good}, "es": {"p": good}}), "locales")
	require.ErrorContains(t, err, "no files for zh-CN")

	c, err := loadCatalog(localeFiles(map[string]map[string]string{"en": {"p": good}, "es": {"p": good}, "zh-CN": {"p": good}}), "locales")
	require.NoError(t, err)
	require.Equal(t, []string{"p.mfa.title", "p.title"}, c.Keys("es"))
}

func TestLocale_FillsPlaceholdersAndFallsBack(t *testing.T) {
	t.Parallel()
	c, err := loadCatalog(localeFiles(map[string]map[string]string{
		"en":    {"p": `{"hello": "Hello {name}, welcome to {tenant}", "x": "</script><b>"}`},
		"es":    {"p": `{"hello": "Hola {name}, bienvenido a {tenant}", "x": "</script><b>"}`},
		"zh-CN": {"p": `{"hello": "{name}，欢迎来到 {tenant}", "x": "</script><b>"}`},
	}), "locales")
	require.NoError(t, err)
	es := c.Locale("es", "console")
	require.Equal(t, "es", es.Lang)
	require.Equal(t, "Hola Ana, bienvenido a Acme", es.T("p.hello", "name", "Ana", "tenant", "Acme"))
	require.Equal(t, "Ana，欢迎来到 Acme", c.Locale("zh-CN", "").T("p.hello", "name", "Ana", "tenant", "Acme"))
	require.Equal(t, "Hola {name}, bienvenido a Acme", es.T("p.hello", "tenant", "Acme"), "an unfilled placeholder stays visible")
	require.Equal(t, "p.missing", es.T("p.missing"))
	require.Equal(t, "en", c.Locale("fr", "").Lang, "a language Sesame does not speak is English")

	// The strings sit inside a script element: nothing in them may end it.
	b, err := loadCatalog(localeFiles(map[string]map[string]string{
		"en": {"errors": `{"x": "</script><b>"}`}, "es": {"errors": `{"x": "</script>"}`}, "zh-CN": {"errors": `{"x": "</script>"}`},
	}), "locales")
	require.NoError(t, err)
	js := string(b.Locale("en", "sign_in").Strings())
	require.NotContains(t, strings.ToLower(js), "</script")
	require.Contains(t, js, `"errors.x"`)
}

func TestPick_QueryThenCookieThenBrowserThenTenant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query, cookie, accept, tenant string
		want                          string
		fromQuery                     bool
	}{
		{accept: "es-ES,es;q=0.9,en;q=0.8", tenant: "en", want: "es"},
		{accept: "zh-CN,zh;q=0.9", tenant: "en", want: "zh-CN"},
		{accept: "zh-Hans-CN", tenant: "en", want: "zh-CN"},
		{accept: "zh", tenant: "en", want: "zh-CN"},
		{accept: "zh-TW,zh-Hant;q=0.9,es;q=0.5", tenant: "en", want: "es", fromQuery: false},
		{accept: "en;q=0.2, es-MX;q=0.7", tenant: "zh-CN", want: "es"},
		{accept: "fr-FR,de;q=0.8", tenant: "zh-CN", want: "zh-CN"},
		{accept: "es;q=0", tenant: "zh-CN", want: "zh-CN"},
		{accept: "*", tenant: "es", want: "es"},
		{accept: "", tenant: "", want: "en"},
		{cookie: "es", accept: "zh-CN", tenant: "en", want: "es"},
		{cookie: "fr", accept: "zh-CN", tenant: "en", want: "zh-CN"},
		{query: "zh-cn", cookie: "es", accept: "es", tenant: "en", want: "zh-CN", fromQuery: true},
		{query: "klingon", cookie: "es", tenant: "en", want: "es"},
	}
	for _, tc := range cases {
		got, fromQuery := Pick(tc.query, tc.cookie, tc.accept, tc.tenant)
		require.Equal(t, tc.want, got, "%+v", tc)
		require.Equal(t, tc.fromQuery, fromQuery, "%+v", tc)
	}
}

func TestCatalog_APartFileAddsToItsNamespaceAndNoKeyTwice(t *testing.T) {
	t.Parallel()
	files := func(part string) fstest.MapFS {
		nss := map[string]string{"p": `{"title": "T"}`, "p.feature": part}
		return localeFiles(map[string]map[string]string{"en": nss, "es": nss, "zh-CN": nss})
	}
	c, err := loadCatalog(files(`{"extra": "E"}`), "locales")
	require.NoError(t, err)
	require.Equal(t, []string{"p.extra", "p.title"}, c.Keys("en"), "p.feature.json adds to namespace p")

	_, err = loadCatalog(files(`{"title": "again"}`), "locales")
	require.ErrorContains(t, err, "p.title is defined in another file too")
}
