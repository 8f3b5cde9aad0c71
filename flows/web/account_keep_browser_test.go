package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// These tests check where the account center says things (next to what
// they are about, in the flow of the page) and that what a person must
// keep (backup codes, the authenticator key) can be copied, downloaded and
// printed, on the account center and on the sign-up page.

// notePlace is where a message is: the ids of the section, factor and form
// around it, the passkey entry's data-id, and its CSS position (sticky or
// fixed would float over the page's text).
type notePlace struct {
	Section  string `json:"section"`
	Factor   string `json:"factor"`
	Form     string `json:"form"`
	Passkey  string `json:"passkey"`
	Position string `json:"position"`
}

// noteOf returns where the element sel is.
func noteOf(t *testing.T, tab *browser.Tab, sel string) notePlace {
	t.Helper()
	var p notePlace
	tab.Eval(t, `(() => { const el = document.querySelector(`+"`"+sel+"`"+`);
	  const id = (s, a) => { const c = el.closest(s); return c ? (c.getAttribute(a) || "") : ""; };
	  return { section: id("section", "id"), factor: id(".factor", "id"), form: id("form", "id"),
	    passkey: id("li.passkey", "data-id"), position: [el, el.closest("#notes")].filter(Boolean).map((e) => getComputedStyle(e).position).find((p) => p !== "static") || "static" };
	})()`, &p)
	return p
}

func TestAccount_MessagesShowNextToWhatTheyAreAbout(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	waitAccountCenter(t, tab)
	user := acme.user(t, adaEmail)
	cred := acme.credentials(t, user.ID)[0]
	item := passkeyItem(cred.ID)

	// A refused rename says so in the passkey's own entry, in the flow of
	// the page (not stuck over its text), announced as an alert.
	tab.Click(t, item+" .passkey-rename")
	tab.Type(t, item+" .rename-input", "\b\r")
	tab.WaitText(t, "#message", "Enter a name for the passkey.")
	p := noteOf(t, tab, "#message")
	require.Equal(t, cred.ID.String(), p.Passkey, "the message is in the passkey's entry")
	require.Equal(t, "passkeys-section", p.Section)
	require.Equal(t, "static", p.Position)
	require.Equal(t, "alert", tab.Attr(t, "#message", "role"))

	// The rename done: said in the same entry.
	tab.Type(t, item+" .rename-input", "Phone\r")
	tab.WaitText(t, "#status", textPasskeyRenamed)
	p = noteOf(t, tab, "#status")
	require.Equal(t, cred.ID.String(), p.Passkey)
	require.Equal(t, "", tab.Text(t, "#message"))

	// A wrong authenticator code: said in the authenticator's form, under
	// 2-step verification, not under the passkeys.
	tab.Click(t, "#totp-setup")
	tab.WaitVisible(t, "#totp-code")
	tab.Type(t, "#totp-code", "000000\r")
	tab.WaitText(t, "#message", "That code is not right. Check it and try again.")
	p = noteOf(t, tab, "#message")
	require.Equal(t, "two-step", p.Section)
	require.Equal(t, "totp-form", p.Form)
	require.Equal(t, "", p.Passkey)

	// Turning 2-step verification off: said in its section.
	tab.Click(t, "#totp-cancel")
	tab.Click(t, "#mfa-switch")
	tab.WaitText(t, "#status", "2-step verification turned on.")
	p = noteOf(t, tab, "#status")
	require.Equal(t, "two-step", p.Section)
	require.Equal(t, "static", p.Position)
}
