package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// A password the tenant's policy refuses is worded in the page's language,
// with the limit, in the account center (GraphQL) and on the sign-up
// password screen (flow API): never the generic "check what you entered".
func TestPasswordPolicy_RefusalInSpanishAndChineseNamesTheLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email, pw = "pol@example.com", "correct horse battery staple"
	acme.newEmailUser(t, email, pw)

	tab := browser.New(t).NewTab(t)
	tab.SetAcceptLanguage(t, "es")
	signInWithPassword(t, tab, acme, email, pw)
	acme.waitAccount(t, tab)
	clearField(t, tab, "#new-password")
	tab.Type(t, "#new-password", "short")
	tab.Click(t, "#set-password")
	tab.WaitText(t, "#message", "Esta contraseña es demasiado corta. Usa al menos 10 caracteres: unas cuantas palabras sin relación entre sí forman una contraseña larga y fácil de recordar.")
	clearField(t, tab, "#new-password")
	tab.Type(t, "#new-password", "password123")
	tab.Click(t, "#set-password")
	tab.WaitText(t, "#message", "Esta contraseña es una de las más comunes, las primeras que prueban los atacantes. Elige otra.")

	code := newCodeSite(t, "shop", "Shop", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.Passkeys.Autofill = false
	})
	zh := browser.New(t).NewTab(t)
	zh.SetAcceptLanguage(t, "zh-CN")
	zh.Navigate(t, code.url("/sign-up"))
	zh.Type(t, "#identifier", "new@example.com")
	zh.Click(t, "#sign-up-continue")
	zh.WaitVisible(t, "#verify-code")
	zh.Type(t, "#verify-code", flowtest.CodeTo(t, code.outbox, "new@example.com", 0))
	zh.Click(t, "#verify-submit")
	onScreen(t, zh, "password-form", "password-submit", true)
	zh.Type(t, "#new-password", "short")
	zh.Click(t, "#password-submit")
	zh.WaitText(t, "#new-password-error", "此密码太短。请至少使用 10 个字符：几个互不相关的词就能组成一个又长又好记的密码。")
	require.Equal(t, "true", zh.Attr(t, "#new-password", "aria-invalid"))
}
