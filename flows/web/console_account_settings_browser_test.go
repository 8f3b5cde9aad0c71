package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
)

// TestConsole_DeletionGracePeriodAndSettingRulesInSpanish: the sign-in
// experience page sets the account deletion grace period; on a Spanish
// page, a number out of its range is refused next to its field in
// Spanish, with the value and the bounds, never the server's English.
func TestConsole_DeletionGracePeriodAndSettingRulesInSpanish(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "acme")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	tab.SetAcceptLanguage(t, "es")
	c.setUp(t, tab)
	openSettings(t, tab, c, "acme", "sign-in")
	require.Equal(t, "Eliminar una cuenta", tab.Text(t, `fieldset[data-field="account"] > legend`))
	var days string
	tab.Eval(t, `document.getElementById("f-account-deletionGraceDays").value`, &days)
	require.Equal(t, "7", days)

	tab.SetValue(t, "#f-account-deletionGraceDays", "91")
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#f-account-deletionGraceDays-error", "91 está fuera del intervalo 0–90.")
	require.Equal(t, "true", tab.Attr(t, "#f-account-deletionGraceDays", "aria-invalid"))

	tab.SetValue(t, "#f-account-deletionGraceDays", "3")
	tab.SetValue(t, "#f-password-minLength", "3")
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#f-password-minLength-error", "3 es menor que 8, el mínimo permitido.")
	require.Equal(t, 7, c.tenant(t, "acme").Settings.Account.DeletionGraceDays, "nothing saved")

	tab.SetValue(t, "#f-password-minLength", "10")
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#settings-status", "Configuración guardada.")
	tn := c.tenant(t, "acme")
	require.Equal(t, 3, tn.Settings.Account.DeletionGraceDays)
	require.Equal(t, 90, tn.Settings.Account.AuditLogDays, "the section's other setting is kept")
}

// TestConsole_TheNewSignInNoticeSwitchInChinese: the sign-in experience
// page turns the notice of a sign-in from a new device off and on again,
// labelled in the page's language; the section's other settings are kept.
func TestConsole_TheNewSignInNoticeSwitchInChinese(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "acme")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	tab.SetAcceptLanguage(t, "zh-CN")
	c.setUp(t, tab)
	openSettings(t, tab, c, "acme", "sign-in")
	const box = "#f-account-newSignInNotice"
	require.Equal(t, "用户从新设备登录时通知他们", tab.Label(t, box))
	require.Equal(t, []string{"删除账号", "安全通知"}, tab.Texts(t, `fieldset[data-field="account"] > legend`))
	checked := func() bool {
		var on bool
		tab.Eval(t, `document.querySelector("`+box+`").checked`, &on)
		return on
	}
	require.True(t, checked(), "on by default")

	tab.Click(t, box)
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#settings-status", "设置已保存。")
	tn := c.tenant(t, "acme")
	require.False(t, tn.Settings.Account.NewSignInNotice)
	require.Equal(t, 7, tn.Settings.Account.DeletionGraceDays, "the section's other settings are kept")
	require.Equal(t, 90, tn.Settings.Account.AuditLogDays)

	openSettings(t, tab, c, "acme", "sign-in")
	require.False(t, checked(), "saved off")
	tab.Click(t, box)
	tab.Click(t, "#save-settings")
	tab.WaitText(t, "#settings-status", "设置已保存。")
	require.True(t, c.tenant(t, "acme").Settings.Account.NewSignInNotice)
}
