package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// An account made on a Spanish page keeps Spanish as its language; the
// account center shows it chosen, and choosing Chinese there stores it and
// opens the page in Chinese.
func TestAccount_TheLanguageChosenInTheAccountCenterIsKept(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	tab.SetAcceptLanguage(t, "es-ES,es;q=0.9")
	(&passkeyDevice{}).plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	require.Equal(t, "es", acme.user(t, adaEmail).Locale)

	var value string
	tab.Eval(t, `document.querySelector("#language").value`, &value)
	require.Equal(t, "es", value)
	require.Equal(t, "Tu idioma", tab.Label(t, "#language"))
	require.Equal(t, []string{"Sin elegir", "English", "Español", "简体中文"}, tab.Texts(t, "#language option"))

	tab.SetValue(t, "#language", "zh-CN")
	tab.Click(t, "#save-language")
	tab.WaitVisible(t, `html[lang="zh-CN"] #language-form`)
	waitAccountCenter(t, tab)
	require.Equal(t, "您的语言", tab.Label(t, "#language"))
	require.Equal(t, acme.url("/account?lang=zh-CN"), tab.Location(t))
	require.Equal(t, "zh-CN", acme.user(t, adaEmail).Locale)
	tab.Eval(t, `document.querySelector("#language").value`, &value)
	require.Equal(t, "zh-CN", value)
}
