package web_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
)

// TestTeamConsole_SpeaksSpanishAndChinese: the overview, the Team page and
// "Invite users" in Spanish and Chinese, with no English sentence of the
// console's or the team's words left.
func TestTeamConsole_SpeaksSpanishAndChinese(t *testing.T) {
	t.Parallel()
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	for _, lang := range []string{"es", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			english := englishConsoleTexts(t, lang)
			en, loc := catalog.Locale("en", "console"), catalog.Locale(lang, "console")
			for _, key := range catalog.Keys("en") {
				if strings.HasPrefix(key, "team.") && en.T(key) != loc.T(key) {
					english[en.T(key)] = key
				}
			}
			c := newConsoleSite(t, "acme")
			tab := browser.New(t).NewTab(t)
			tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
			tab.SetAcceptLanguage(t, lang+";q=1, en;q=0.5")
			c.setUp(t, tab)
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

			tab.Navigate(t, c.url("/console/tenants/acme"))
			tab.WaitVisible(t, "#next-steps")
			require.Equal(t, loc.T("team.overview.next"), tab.Text(t, "#next-steps-heading"))
			require.Equal(t, loc.T("team.overview.application"), tab.Text(t, "#step-application a"))
			noEnglish("overview")
			tab.Screenshot(t, browser.ShotPath(t, "overview-"+lang+".png"))

			tab.Navigate(t, c.url("/console/tenants/acme/team"))
			tab.WaitVisible(t, "#team-invite-form")
			require.Equal(t, loc.T("team.page.invite_button"), tab.Text(t, "#team-invite"))
			noEnglish("team")
			tab.Screenshot(t, browser.ShotPath(t, "team-"+lang+".png"))

			tab.Navigate(t, c.url("/console/tenants/acme/invite"))
			tab.WaitVisible(t, "#invite-user-form")
			require.Equal(t, loc.T("team.invite_user.button"), tab.Text(t, "#invite-user"))
			noEnglish("invite users")
		})
	}
}
