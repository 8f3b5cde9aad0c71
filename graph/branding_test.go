package graph_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
)

func logoPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))))
	return b.Bytes()
}

const setLogo = `mutation($d: String!) { setLogo(imageBase64: $d) { url contentType width height bytes } }`

func (e *apiEnv) get(t *testing.T, host, target string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Host = host
	rec := httptest.NewRecorder()
	e.srv.App.Handler.ServeHTTP(rec, r)
	return rec
}

func TestBranding_LogoUploadedCheckedAndServedFromTheTenantHost(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			pic := logoPNG(t, 40, 20)
			d := e.ok(t, p, admin, setLogo, map[string]any{"d": base64.StdEncoding.EncodeToString(pic)})
			url := path(d, "setLogo", "url").(string)
			require.True(t, strings.HasPrefix(url, "/branding/logo?v="), url)
			require.Equal(t, "image/png", path(d, "setLogo", "contentType"))
			require.Equal(t, float64(40), path(d, "setLogo", "width"))

			rec := e.get(t, p.host, url)
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, "image/png", rec.Header().Get("Content-Type"))
			require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			require.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
			require.Equal(t, pic, rec.Body.Bytes())
			stale := e.get(t, p.host, "/branding/logo?v=old")
			require.Equal(t, "no-cache", stale.Header().Get("Cache-Control"), "an old version is revalidated, never cached for good")
			require.Equal(t, http.StatusNotFound, e.get(t, e.bravo.host, url).Code, "another tenant's host has no such logo")
			require.Nil(t, path(e.ok(t, e.bravo, admin, `{ tenant { logo { url } } }`, nil), "tenant", "logo"))

			// Hostile pictures are refused with a clear 4xx code naming the field.
			svg := `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>`
			a := e.refused(t, p, admin, "image_unsupported", setLogo, map[string]any{"d": base64.StdEncoding.EncodeToString([]byte(svg))})
			require.Equal(t, "logo", a.errors[0].Extensions["field"])
			// PNG bytes behind JPEG's magic: what it claims is not what it is.
			liar := append([]byte{0xFF, 0xD8, 0xFF}, pic...)
			e.refused(t, p, admin, "image_unsupported", setLogo, map[string]any{"d": base64.StdEncoding.EncodeToString(liar)})
			big := append(logoPNG(t, 8, 8), make([]byte, 300<<10)...)
			e.refused(t, p, admin, "image_too_large", setLogo, map[string]any{"d": base64.StdEncoding.EncodeToString(big)})
			e.refused(t, p, admin, "invalid_input", setLogo, map[string]any{"d": "not base64!"})
			// Only an administrator sets it.
			e.refused(t, p, user, "forbidden", setLogo, map[string]any{"d": base64.StdEncoding.EncodeToString(pic)})
			require.Equal(t, pic, e.get(t, p.host, url).Body.Bytes(), "a refused upload leaves the logo as it was")

			require.Equal(t, true, path(e.ok(t, p, admin, `mutation { removeLogo }`, nil), "removeLogo"))
			require.Equal(t, http.StatusNotFound, e.get(t, p.host, url).Code)
		})
	}
}

const updateBranding = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { settingsVersion settings {
	branding { primaryColor theme customCss texts { locale signInHeading signUpHeading termsUrl privacyUrl } }
	messages { templates { locale emailSubject emailBody sms } } } } }`

func TestBranding_SettingsValidatedWithFieldsAndStylesheetServed(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			v := path(e.ok(t, p, admin, `{ tenant { settingsVersion } }`, nil), "tenant", "settingsVersion")
			branding := map[string]any{"primaryColor": "#1A4D2E", "theme": "DARK", "customCss": "h1 { letter-spacing: 0.05em; }",
				"texts": []any{map[string]any{"locale": "es", "signInHeading": "Entra en Acme", "termsUrl": "https://acme.example/terminos"}, map[string]any{"locale": "en"}}}
			messages := map[string]any{"templates": []any{map[string]any{"locale": "en", "emailSubject": "{tenant} code", "emailBody": "Use {code} within {minutes} minutes.", "sms": "{code} is your code"}}}
			d := e.ok(t, p, admin, updateBranding, map[string]any{"in": map[string]any{"version": v, "branding": branding, "messages": messages}})
			got := path(d, "updateSettings", "settings", "branding")
			require.Equal(t, "#1a4d2e", path(got, "primaryColor"))
			require.Equal(t, "DARK", path(got, "theme"))
			require.Len(t, path(got, "texts"), 1, "a language left empty is dropped")
			require.Equal(t, "Entra en Acme", path(got, "texts", 0, "signInHeading"))
			require.Equal(t, "{code} is your code", path(d, "updateSettings", "settings", "messages", "templates", 0, "sms"))
			v = path(d, "updateSettings", "settingsVersion")

			css := e.get(t, p.host, "/branding/style.css")
			require.Equal(t, "text/css; charset=utf-8", css.Header().Get("Content-Type"))
			require.Equal(t, "nosniff", css.Header().Get("X-Content-Type-Options"))
			require.Contains(t, css.Body.String(), "--accent: #1a4d2e")
			require.Contains(t, css.Body.String(), "letter-spacing: 0.05em")

			for _, c := range []struct {
				field string
				in    map[string]any
			}{
				{"branding.custom_css", map[string]any{"branding": map[string]any{"theme": "AUTO", "customCss": "body { background: url(https://evil.example/x) }"}}},
				{"branding.custom_css", map[string]any{"branding": map[string]any{"theme": "AUTO", "customCss": "@import '/x.css';"}}},
				{"branding.primary_color", map[string]any{"branding": map[string]any{"theme": "AUTO", "primaryColor": "#ffff66"}}},
				{"branding.texts.en.privacy_url", map[string]any{"branding": map[string]any{"theme": "AUTO", "texts": []any{map[string]any{"locale": "en", "privacyUrl": "http://acme.example/p"}}}}},
				{"messages.templates.es.sms", map[string]any{"messages": map[string]any{"templates": []any{map[string]any{"locale": "es", "sms": "Tu código llega pronto"}}}}},
				{"messages.templates.en.email_body", map[string]any{"messages": map[string]any{"templates": []any{map[string]any{"locale": "en", "emailSubject": "Hi", "emailBody": "{code} {password}"}}}}},
			} {
				c.in["version"] = v
				a := e.refused(t, p, admin, "invalid_input", updateBranding, map[string]any{"in": c.in})
				require.Equal(t, c.field, a.errors[0].Extensions["field"], "%v", c.in)
				require.Contains(t, a.errors[0].Message, c.field)
			}
			require.Contains(t, e.get(t, p.host, "/branding/style.css").Body.String(), "letter-spacing", "a refused update changes nothing")
		})
	}
}

const preview = `query($c: Channel!, $l: String!, $t: MessageTemplateInput!) { previewMessageTemplate(channel: $c, locale: $l, template: $t) { subject text } }`

func TestBranding_PreviewRendersWithASampleCodeAndRefusesWhatASaveRefuses(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, testdb.SQLite, false)
	p := e.acme
	tpl := map[string]any{"locale": "es", "emailSubject": "Código de {tenant}", "emailBody": "Tu código es {code}; vale {minutes} minutos.", "sms": "{code}"}
	d := e.ok(t, p, admin, preview, map[string]any{"c": "EMAIL", "l": "es", "t": tpl})
	require.Equal(t, "Código de Acme", path(d, "previewMessageTemplate", "subject"))
	require.Equal(t, "Tu código es 123456; vale 10 minutos.", path(d, "previewMessageTemplate", "text"))
	d = e.ok(t, p, admin, preview, map[string]any{"c": "SMS", "l": "es", "t": tpl})
	require.Nil(t, path(d, "previewMessageTemplate", "subject"))
	require.Equal(t, "123456", path(d, "previewMessageTemplate", "text"))

	a := e.refused(t, p, admin, "invalid_input", preview, map[string]any{"c": "SMS", "l": "en", "t": map[string]any{"locale": "en", "sms": "Your code is ready"}})
	require.Equal(t, "template.sms", a.errors[0].Extensions["field"])
	require.Contains(t, a.errors[0].Message, "{code}")
	e.refused(t, p, user, "forbidden", preview, map[string]any{"c": "SMS", "l": "en", "t": tpl})
}
