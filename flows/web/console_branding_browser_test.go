package web_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/browser"
)

// chooseFile puts a file with data in the file input, as a person picking
// it would.
func chooseFile(t *testing.T, tab *browser.Tab, selector, name, mime string, data []byte) {
	t.Helper()
	tab.Eval(t, `(() => {
		const bytes = Uint8Array.from(atob(`+jsQuote(base64.StdEncoding.EncodeToString(data))+`), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], `+jsQuote(name)+`, { type: `+jsQuote(mime)+` }));
		document.querySelector(`+jsQuote(selector)+`).files = dt.files;
		return true;
	})()`, nil)
}

// TestConsole_BrandingRefusesHostileLogoAndCSSAndPreviewsTemplates: the
// branding page refuses an SVG logo and CSS that loads from another host
// at their fields, saves a heading per language and a PNG logo; the
// messages page refuses a template without {code} and previews one with a
// sample code.
func TestConsole_BrandingRefusesHostileLogoAndCSSAndPreviewsTemplates(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	openSettings(t, tab, c, "shop", "branding")
	tab.SetValue(t, "#f-branding-primaryColor", "#1a4d2e")
	tab.SetValue(t, "#f-branding-customCss", "body { background: url(https://evil.example/x) }")
	tab.SetValue(t, "#f-branding-texts-es-signInHeading", "Entra en la tienda")
	tab.Click(t, "#save-settings")
	tab.WaitVisible(t, "#f-branding-customCss[aria-invalid=true]")
	require.Contains(t, tab.Text(t, "#f-branding-customCss-error"), "Custom CSS: loads url(https://evil.example/x")
	require.Empty(t, c.tenant(t, "shop").Settings.Branding.CustomCSS, "nothing was saved")

	tab.SetValue(t, "#f-branding-customCss", "h1 { letter-spacing: 2px; }")
	saveSettings(t, tab)
	b := c.tenant(t, "shop").Settings.Branding
	require.Equal(t, "#1a4d2e", b.PrimaryColor)
	require.Equal(t, "Entra en la tienda", b.Texts["es"].SignInHeading)

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`)
	chooseFile(t, tab, "#logo-file", "logo.png", "image/png", svg)
	tab.Click(t, "#logo-upload")
	tab.WaitText(t, "#logo-error", "Use a PNG, JPEG or WebP picture. Other files, SVG among them, are not accepted.")
	require.False(t, tab.Has(t, "#logo-preview"))

	// PNG bytes behind JPEG's magic bytes, sent as a JPEG: refused.
	chooseFile(t, tab, "#logo-file", "logo.jpg", "image/jpeg", append([]byte{0xFF, 0xD8, 0xFF}, brandLogo(t)...))
	tab.Click(t, "#logo-upload")
	tab.WaitText(t, "#logo-error", "Use a PNG, JPEG or WebP picture. Other files, SVG among them, are not accepted.")
	// A PNG past 256 KiB: refused as too large.
	chooseFile(t, tab, "#logo-file", "big.png", "image/png", append(brandLogo(t), make([]byte, 300<<10)...))
	tab.Click(t, "#logo-upload")
	tab.WaitText(t, "#logo-error", "This picture is too large. Use a smaller file, at most 4096 pixels on each side.")
	require.False(t, tab.Has(t, "#logo-preview"))
	_, err := c.srv.DB.ForTenant(c.tenant(t, "shop").ID).Logos().Get(t.Context())
	require.ErrorIs(t, err, db.ErrNotFound, "no refused picture was stored")

	chooseFile(t, tab, "#logo-file", "logo.png", "image/png", brandLogo(t))
	tab.Click(t, "#logo-upload")
	tab.WaitText(t, "#logo-status", "Logo saved.")
	var loaded bool
	tab.Eval(t, `new Promise((resolve) => { const i = document.getElementById("logo-preview"); const ok = () => resolve(i.naturalWidth === 120); i.complete ? ok() : i.addEventListener("load", ok); })`, &loaded)
	require.True(t, loaded, "the console shows the logo the tenant host serves")
	tab.Screenshot(t, browser.ShotPath(t, "console-branding.png"))

	openSettings(t, tab, c, "shop", "messages")
	tab.SetValue(t, "#f-messages-templates-en-sms", "Your code is ready")
	tab.Click(t, "#save-settings")
	tab.WaitVisible(t, `[data-field="messages.templates"] [aria-invalid=true]`)
	require.Contains(t, tab.Text(t, "#f-messages-templates-error"), "SMS text (English): does not contain {code}")
	require.Empty(t, c.tenant(t, "shop").Settings.Messages.Templates)

	tab.SetValue(t, "#f-messages-templates-en-sms", "{code} is your {tenant} code")
	tab.SetValue(t, "#preview-channel", "SMS")
	tab.Click(t, "#preview-button")
	tab.WaitText(t, "#preview-text", "123456 is your Shop code")
	saveSettings(t, tab)
	require.Equal(t, "{code} is your {tenant} code", c.tenant(t, "shop").Settings.Messages.Templates["en"].SMS)
}
