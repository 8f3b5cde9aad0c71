package web_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
)

// consoleTextsScript reads the text of every element of the console page
// a person reads as one piece: headings, labels, legends, buttons, links,
// options, terms and paragraphs, and the page's title.
const consoleTextsScript = `[document.title, ...[...document.querySelectorAll(
  "header h1, header p, header button, #console h2, #console h3, #console label, #console legend, #console button, #console a, #console option, #console dt, #console p"
)].map((el) => el.textContent.trim())].filter(Boolean)`

// englishConsoleTexts are the console's English sentences that another
// language writes differently: any of them on a page in that language is
// a word the console forgot to look up.
func englishConsoleTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	c, err := console.LoadCatalog()
	require.NoError(t, err)
	en, other := c.Locale("en", "console"), c.Locale(lang, "console")
	out := map[string]string{}
	for _, key := range c.Keys("en") {
		if !strings.HasPrefix(key, "console.") && !strings.HasPrefix(key, "common.") {
			continue
		}
		if e := en.T(key); e != other.T(key) {
			out[e] = key
		}
	}
	require.Greater(t, len(out), 150)
	return out
}

// TestConsole_SpeaksSpanishAndChineseWithNoEnglishLeft: a browser that
// asks for Spanish or Chinese gets the console, its tenants list and a
// settings page in that language, with no English sentence left.
func TestConsole_SpeaksSpanishAndChineseWithNoEnglishLeft(t *testing.T) {
	t.Parallel()
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	for _, lang := range []string{"es", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			english := englishConsoleTexts(t, lang)
			loc := catalog.Locale(lang, "console")
			c := newConsoleSite(t, "acme")
			tab := browser.New(t).NewTab(t)
			tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
			tab.SetAcceptLanguage(t, lang+";q=1, en;q=0.5")

			noEnglish := func(page string) {
				t.Helper()
				var texts []string
				tab.Eval(t, consoleTextsScript, &texts)
				require.Greater(t, len(texts), 5, page)
				for _, text := range texts {
					key, ok := english[text]
					require.False(t, ok, "the %s page shows %q, the English of %s", page, text, key)
				}
			}

			c.setUp(t, tab)
			var htmlLang string
			tab.Eval(t, "document.documentElement.lang", &htmlLang)
			require.Equal(t, lang, htmlLang)
			tab.WaitVisible(t, "#tenants")
			require.Equal(t, loc.T("console.heading"), tab.Text(t, "header h1"))
			require.Equal(t, loc.T("console.tenants.title"), tab.Text(t, "#console h2"))
			require.Equal(t, loc.T("console.create_tenant.button"), tab.Text(t, "#create-tenant"))
			require.Equal(t, loc.T("common.sign_out"), tab.Text(t, "#sign-out"))
			noEnglish("tenants")

			openSettings(t, tab, c, "acme", "sign-in")
			require.Equal(t, loc.T("console.settings.sign_in.title"), tab.Text(t, "#settings-heading"))
			require.Equal(t, loc.T("console.settings.save"), tab.Text(t, "#save-settings"))
			require.Equal(t, loc.T("console.settings.password.legend"), tab.Text(t, `fieldset[data-field="password"] > legend`))
			noEnglish("sign-in settings")

			tab.Click(t, "#save-settings")
			tab.WaitText(t, "#settings-status", loc.T("console.settings.saved"))
			tab.Screenshot(t, browser.ShotPath(t, "console-settings-"+lang+".png"))

			// The applications page, with a new application, its secret and
			// its set-up code open.
			tab.Click(t, `.tenant-nav a[href="/console/tenants/acme/applications"]`)
			tab.WaitVisible(t, "#applications-empty")
			require.Equal(t, loc.T("console.apps.title"), tab.Text(t, "#console h2"))
			require.Equal(t, loc.T("console.apps.create"), tab.Text(t, "#create-application"))
			tab.Type(t, "#app-name", "Tienda")
			tab.SetValue(t, "#app-redirect-uris", "https://tienda.example.com/callback")
			tab.Click(t, "#create-application")
			tab.WaitVisible(t, "#new-app-secret")
			require.Equal(t, []string{loc.T("console.apps.types.WEB")}, tab.Texts(t, "#applications .application-type"))
			tab.Click(t, "#applications .snippets summary")
			noEnglish("applications")
			tab.Screenshot(t, browser.ShotPath(t, "console-applications-"+lang+".png"))
		})
	}
}
