package web_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	fakesiteverify "github.com/sesame-id/sesame/internal/fake/siteverify"
	"github.com/sesame-id/sesame/tenants"
)

// TestCaptchaWidget_PasswordSignInAfterTickingIt: with the tenant's CAPTCHA
// on, the sign-in page shows the provider's widget (the fake one, from the
// configured script origin); a password sent without ticking it is refused,
// each submission uses up the token (the widget is reset), and ticking it
// again lets the right password in. The page talks to its own host and the
// widget's host only.
func TestCaptchaWidget_PasswordSignInAfterTickingIt(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	u := s.passwordUser(t, "ticker@example.com")
	acme := &hostedSite{srv: s.srv, tenant: s.tn, origin: s.srv.URL("acme")}
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.WaitVisible(t, "#identifier")
	require.False(t, tab.Shows(t, "#captcha"), "the first screen sends no password or code: no widget")

	tab.Type(t, "#identifier", u.DisplayName)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#captcha .fake-captcha-checkbox")
	require.Contains(t, tab.Text(t, "#captcha"), fakesiteverify.WidgetLabel)
	require.Equal(t, 1, s.fake.ScriptsServed())
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")

	// Not ticked: refused, and the provider was not asked.
	tab.Type(t, "#password", captchaPassword)
	tab.Click(t, "#password-submit")
	tab.WaitText(t, "#message", "Complete the CAPTCHA and try again.")
	require.Empty(t, s.fake.Requests())
	require.Empty(t, acme.sessions(t, u.ID))

	// Ticked, but a wrong password: the token was sent and checked, and
	// the widget is reset for the next try.
	tick := func() {
		tab.Click(t, "#captcha .fake-captcha-checkbox")
		tab.WaitVisible(t, `#captcha .fake-captcha-checkbox[data-solved="true"]`)
	}
	tick()
	tab.Type(t, "#password", "wrong password here")
	tab.Click(t, "#password-submit")
	tab.WaitText(t, "#password-error", "The account or password is not right. Check them and try again, or choose another way to sign in.")
	require.Len(t, s.fake.Requests(), 1)
	require.Equal(t, s.fake.Solved()[0], s.fake.Requests()[0].Form.Get("response"))
	var checked bool
	tab.Eval(t, `document.querySelector("#captcha .fake-captcha-checkbox").checked`, &checked)
	require.False(t, checked, "the widget is reset after a guarded submission")

	// Ticked again, the right password: signed in.
	tick()
	tab.Type(t, "#password", captchaPassword)
	tab.Click(t, "#password-submit")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, u.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "pwd", sessions[0].AMR)
	require.Len(t, s.fake.Solved(), 2)
	require.Equal(t, s.fake.Solved()[1], s.fake.Requests()[1].Form.Get("response"))

	// Every request went to the tenant's host or the widget's host.
	own, err := url.Parse(acme.origin)
	require.NoError(t, err)
	var widgetHost int
	for _, raw := range tab.Requests() {
		r, err := url.Parse(raw)
		require.NoError(t, err, raw)
		require.Contains(t, []string{own.Host, s.fake.Host()}, r.Host, "the page requested another host: %s", raw)
		if r.Host == s.fake.Host() {
			widgetHost++
		}
	}
	require.Equal(t, 3, widgetHost, "the widget script and two solves")
}
