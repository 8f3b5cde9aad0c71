package tenants_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

func field(t *testing.T, err error) string {
	t.Helper()
	var ie *tenants.InputError
	require.True(t, errors.As(err, &ie), "want an InputError, got %v", err)
	return ie.Field
}

func TestBranding_ValidatesColourThemeTextsAndLinks(t *testing.T) {
	s := tenants.DefaultSettings()
	s.Branding = tenants.Branding{PrimaryColor: "#1a4d2e", Theme: tenants.ThemeDark, Texts: map[string]tenants.BrandTexts{
		"es": {SignInHeading: "Entra en Acme", TermsURL: "https://acme.example/terminos", PrivacyURL: "https://acme.example/privacidad"},
	}}
	require.NoError(t, s.Validate())

	cases := map[string]tenants.Branding{
		"branding.primary_color":               {PrimaryColor: "red", Theme: "auto"},
		"branding.primary_color#contrast":      {PrimaryColor: "#ffee00", Theme: "auto"},
		"branding.theme":                       {Theme: "sepia"},
		"branding.texts":                       {Theme: "auto", Texts: map[string]tenants.BrandTexts{"fr": {SignInHeading: "Bonjour"}}},
		"branding.texts.en.terms_url":          {Theme: "auto", Texts: map[string]tenants.BrandTexts{"en": {TermsURL: "http://acme.example/terms"}}},
		"branding.texts.en.privacy_url":        {Theme: "auto", Texts: map[string]tenants.BrandTexts{"en": {PrivacyURL: "javascript:alert(1)"}}},
		"branding.texts.zh-CN.sign_in_heading": {Theme: "auto", Texts: map[string]tenants.BrandTexts{"zh-CN": {SignInHeading: "two\nlines"}}},
	}
	for want, b := range cases {
		s := tenants.DefaultSettings()
		s.Branding = b
		require.Equal(t, strings.Split(want, "#")[0], field(t, s.Validate()), want)
	}
	require.Less(t, tenants.ContrastWithWhite("#ffee00"), tenants.MinContrast)
	require.Greater(t, tenants.ContrastWithWhite("#3a4fd6"), tenants.MinContrast)
}

func TestCheckCSS_RefusesLoadsFromOtherHosts(t *testing.T) {
	for _, ok := range []string{
		"",
		"h1 { color: #123456; font-family: serif }",
		".card { background: url(/branding/logo) no-repeat; }",
		".card { background-image: url(\"data:image/png;base64,AAAA\"); }",
		"a::after { content: \"\\201C\"; }",
	} {
		require.NoError(t, tenants.CheckCSS(ok), ok)
	}
	for _, bad := range []string{
		"body { background: url(https://evil.example/x) }",
		"body { background: url( 'https://evil.example/x' ) }",
		"body { background: url(//evil.example/x) }",
		"@import 'https://evil.example/a.css';",
		"@IMPORT url(/x.css);",
		"body { background: u\\72l(https://evil.example/x) }",
		"body { background: url/**/(https://evil.example/x) }",
		"body { background-image: image-set(\"https://evil.example/x\" 1x) }",
		"@font-face { font-family: x; src: url(https://evil.example/f.woff) }",
		"</style><script>alert(1)</script>",
		strings.Repeat("a", tenants.CustomCSSMax+1),
	} {
		err := tenants.CheckCSS(bad)
		require.Error(t, err, bad)
		require.Equal(t, "branding.custom_css", field(t, err), bad)
	}
}

func TestMessages_RefuseTemplatesWithoutCodeOrWithUnknownPlaceholders(t *testing.T) {
	ok := tenants.MessageTemplate{EmailSubject: "{tenant}: your code", EmailBody: "Code {code}, valid {minutes} min.", SMS: "{code} is your {tenant} code"}
	require.NoError(t, tenants.Messages{Templates: map[string]tenants.MessageTemplate{"en": ok}}.Validate())

	cases := map[string]tenants.MessageTemplate{
		"messages.templates.en.email_body":            {EmailSubject: "Hi", EmailBody: "Welcome to {tenant}"},
		"messages.templates.en.sms":                   {SMS: "Your code is ready"},
		"messages.templates.en.email_subject":         {EmailSubject: "{user} code", EmailBody: "{code}"},
		"messages.templates.en.email_body#unknown":    {EmailSubject: "Code", EmailBody: "{code} for {name}"},
		"messages.templates.en.sms#brace":             {SMS: "{code} {"},
		"messages.templates.en.email_subject#missing": {EmailBody: "{code}"},
	}
	for want, mt := range cases {
		err := tenants.Messages{Templates: map[string]tenants.MessageTemplate{"en": mt}}.Validate()
		require.Equal(t, strings.Split(want, "#")[0], field(t, err), want)
	}
	err := tenants.Messages{Templates: map[string]tenants.MessageTemplate{"en": {SMS: "no code here"}}}.Validate()
	require.Contains(t, err.Error(), "{code}")

	m := tenants.Messages{Templates: map[string]tenants.MessageTemplate{"es": ok}}
	subject, body, found := m.Email("es", tenants.MessageValues{Code: "424242", Minutes: 10, Tenant: "A{code}"})
	require.True(t, found)
	require.Equal(t, "A{code}: your code", subject, "a value is never read again as a placeholder")
	require.Equal(t, "Code 424242, valid 10 min.", body)
	_, _, found = m.Email("en", tenants.MessageValues{})
	require.False(t, found, "a language without a template sends Sesame's words")

	_, text, err := tenants.Preview("sms", "en", ok, "Acme", 10)
	require.NoError(t, err)
	require.Equal(t, tenants.PreviewCode+" is your Acme code", text)
	_, _, err = tenants.Preview("sms", "en", tenants.MessageTemplate{SMS: "no code"}, "Acme", 10)
	require.Equal(t, "template.sms", field(t, err))
}

func TestSettings_BrandingRoundTrips(t *testing.T) {
	s := tenants.DefaultSettings()
	s.Branding.PrimaryColor = "#123456"
	s.Branding.Texts = map[string]tenants.BrandTexts{"es": {SignInHeading: "Hola"}}
	s.Messages.Templates = map[string]tenants.MessageTemplate{"en": {SMS: "{code}"}}
	doc, err := s.Encode()
	require.NoError(t, err)
	back, err := tenants.ParseSettings(doc)
	require.NoError(t, err)
	require.Equal(t, s.Branding, back.Branding)
	require.Equal(t, s.Messages, back.Messages)

	old, err := tenants.ParseSettings(`{"schema":1,"default_locale":"en"}`)
	require.NoError(t, err)
	require.Equal(t, tenants.DefaultBranding(), old.Branding, "a document from before branding reads as Sesame's look")
}
