package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// TestI18nSignIn_SwitcherSpanishThroughPasswordThenChinese: a person picks
// Español with the switcher; the page's own words, the words sign_in.js
// writes and the server's error all read as the Spanish catalogue says; a
// reload keeps Spanish (the cookie), and 简体中文 switches the page,
// sentences written by the script included.
func TestI18nSignIn_SwitcherSpanishThroughPasswordThenChinese(t *testing.T) {
	t.Parallel()
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	en := catalog.Locale("en", "sign_in")
	es := catalog.Locale("es", "sign_in")
	zh := catalog.Locale("zh-CN", "sign_in")

	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.mail = outbox
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email = "lucia@example.com"
	u := acme.newEmailUser(t, email, "correct horse battery staple")

	// differs checks that a language's string is its own, not English's.
	differs := func(l console.Locale, key string, args ...any) string {
		t.Helper()
		s := l.T(key, args...)
		require.NotEqual(t, en.T(key, args...), s, "%s %s is English", l.Lang, key)
		return s
	}
	var title string

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.WaitVisible(t, "#lang-es")
	require.Equal(t, en.T("sign_in.title", "tenant", "Acme"), tab.Text(t, "h1"), "English without a choice")

	// Español, from the switcher.
	tab.Click(t, "#lang-es")
	tab.WaitVisible(t, `html[lang="es"] #identifier`)
	require.Equal(t, differs(es, "sign_in.title", "tenant", "Acme"), tab.Text(t, "h1"))
	require.Equal(t, differs(es, "sign_in.identifier.label"), tab.Text(t, `label[for="identifier"]`))
	require.Equal(t, differs(es, "sign_in.continue"), tab.Text(t, "#continue"))
	tab.Eval(t, `document.title`, &title)
	require.Equal(t, differs(es, "sign_in.document_title", "tenant", "Acme"), title)
	var current string
	tab.Eval(t, `document.querySelector("nav.languages [aria-current]").id`, &current)
	require.Equal(t, "lang-es", current, "the switcher marks Español")

	// What sign_in.js writes: the methods, then the server's refusal of a
	// wrong password in the catalogue's Spanish, not the server's English.
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	require.Equal(t, differs(es, "screens.sign_in.methods_title"), tab.Text(t, "#methods-title"))
	require.False(t, tab.Shows(t, "#methods-text"), "no paragraph repeats the heading")
	require.Equal(t, differs(es, "sign_in.methods.password"), tab.Text(t, `#method-list button[data-method="password"]`))
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	require.Equal(t, differs(es, "sign_in.password.label"), tab.Text(t, `label[for="password"]`))
	tab.Type(t, "#password", "wrong password here")
	tab.Click(t, "#password-submit")
	tab.WaitText(t, "#password-error", differs(es, "errors.invalid_credentials"))
	require.Empty(t, acme.sessions(t, u.ID))

	// A reload without ?lang= stays in Spanish: the choice is remembered.
	tab.Navigate(t, acme.url("/"))
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, es.T("sign_in.title", "tenant", "Acme"), tab.Text(t, "h1"))

	// 简体中文 from the switcher, and the script's code-sent sentence in it.
	tab.Click(t, "#lang-zh-CN")
	tab.WaitVisible(t, `html[lang="zh-CN"] #identifier`)
	require.Equal(t, differs(zh, "sign_in.title", "tenant", "Acme"), tab.Text(t, "h1"))
	require.Equal(t, zh.T("sign_in.continue"), tab.Text(t, "#continue"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="email_code"]`)
	require.Equal(t, differs(zh, "sign_in.methods.email_code"), tab.Text(t, `#method-list button[data-method="email_code"]`))
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	tab.WaitVisible(t, "#code")
	require.Equal(t, differs(zh, "sign_in.code.sent_email", "destination", email, "minutes", 10), tab.Text(t, "#code-sent"))

	// The only console line is the browser's note on the refused password.
	require.Len(t, tab.ConsoleErrors(), 1, "%v", tab.ConsoleErrors())
	require.Contains(t, tab.ConsoleErrors()[0], "status of 401")
	requireOnlyOwnHost(t, acme.origin, tab.Requests())
}
