package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// servedPicture is what the tenant host answered for a picture the page
// shows.
type servedPicture struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	NoSniff     string `json:"noSniff"`
	Width       int    `json:"width"`
}

// pictureOf reads the picture selector shows: how wide it drew, and how
// its URL is served.
func pictureOf(t *testing.T, tab *browser.Tab, selector string) servedPicture {
	t.Helper()
	var p servedPicture
	tab.Eval(t, `(async () => {
  const img = document.querySelector(`+jsString(selector)+`);
  await img.decode();
  const r = await fetch(img.src);
  return {status: r.status, contentType: r.headers.get("Content-Type"), noSniff: r.headers.get("X-Content-Type-Options"), width: img.naturalWidth};
})()`, &p)
	return p
}

// TestAccountCenter_AvatarUploadedRefusedRemovedAndShownInTheConsole: a
// person sets a picture in the account center (served by the tenant host
// under its sniffed type, nosniff), an SVG is refused next to the form, the
// picture is removed and set again; the console's user page shows it.
func TestAccountCenter_AvatarUploadedRefusedRemovedAndShownInTheConsole(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email, pw = "pic@example.com", "correct horse battery staple"
	user := acme.newEmailUser(t, email, pw)
	b := browser.New(t)
	tab := b.NewTab(t)
	signInWithPassword(t, tab, acme, email, pw)
	acme.waitAccount(t, tab)
	require.Equal(t, "No picture yet.", tab.Text(t, "#avatar-none"))
	require.False(t, tab.Shows(t, "#avatar-remove"))

	// Nothing chosen: said next to the form.
	tab.Click(t, "#avatar-upload")
	tab.WaitText(t, "#message", "Choose a picture file first.")
	require.True(t, tab.Has(t, "#avatar-form #message"))

	// An SVG with a script, whatever it claims to be, is refused.
	chooseFile(t, tab, "#avatar-file", "me.png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	tab.Click(t, "#avatar-upload")
	c, err := console.LoadCatalog()
	require.NoError(t, err)
	tab.WaitText(t, "#message", c.Locale("en", "account").T("errors.image_unsupported"))
	require.True(t, tab.Has(t, "#avatar-form #message"), "the message is next to the picture form")
	_, err = acme.scope().Avatars().Get(t.Context(), user.ID)
	require.Error(t, err, "nothing stored")

	chooseFile(t, tab, "#avatar-file", "me.png", "image/png", brandLogo(t))
	tab.Click(t, "#avatar-upload")
	tab.WaitText(t, "#status", "Your picture is saved.")
	pic := pictureOf(t, tab, "#avatar-image")
	require.Equal(t, servedPicture{Status: 200, ContentType: "image/png", NoSniff: "nosniff", Width: pic.Width}, pic)
	require.Positive(t, pic.Width, "the page drew the picture")
	require.Equal(t, "Your picture", tab.Attr(t, "#avatar-image", "alt"))
	stored, err := acme.scope().Avatars().Get(t.Context(), user.ID)
	require.NoError(t, err)
	require.Equal(t, brandLogo(t), stored.Data)
	tab.Screenshot(t, browser.ShotPath(t, "account-avatar.png"))

	tab.Click(t, "#avatar-remove")
	tab.WaitText(t, "#status", "Your picture is removed.")
	require.True(t, tab.Shows(t, "#avatar-none"))
	_, err = acme.scope().Avatars().Get(t.Context(), user.ID)
	require.Error(t, err, "removed")

	chooseFile(t, tab, "#avatar-file", "me.png", "image/png", brandLogo(t))
	tab.Click(t, "#avatar-upload")
	tab.WaitText(t, "#status", "Your picture is saved.")
	require.Empty(t, tab.ConsoleErrors())

	// The console's user page shows the picture.
	_, token := newAdministrator(t, srv, "ada@example.com", acme.tenant)
	cs := &consoleSite{srv: srv, origin: srv.URL(tenants.AdminSlug), token: token}
	admin := b.NewTab(t)
	admin.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	cs.setUp(t, admin)
	admin.Navigate(t, cs.url("/console/tenants/acme/users/"+user.ID.String()))
	admin.WaitVisible(t, "#user-avatar")
	require.Equal(t, "Picture of "+email, admin.Attr(t, "#user-avatar", "alt"))
	var width int
	admin.Eval(t, `document.getElementById("user-avatar").decode().then(() => document.getElementById("user-avatar").naturalWidth)`, &width)
	require.Positive(t, width)
}
