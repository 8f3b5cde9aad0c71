package captcha_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/tenants"
)

func TestWidgetFor_RealScriptsByDefaultAndTheOverrideOriginOnly(t *testing.T) {
	t.Parallel()
	w, ok := captcha.WidgetFor(tenants.CaptchaTurnstile, "")
	require.True(t, ok)
	require.Equal(t, "https://challenges.cloudflare.com/turnstile/v0/api.js", w.ScriptURL)
	require.Equal(t, []string{"https://challenges.cloudflare.com"}, w.Sources)
	w, _ = captcha.WidgetFor(tenants.CaptchaReCAPTCHA, "")
	require.Equal(t, "https://www.google.com/recaptcha/api.js", w.ScriptURL)
	w, _ = captcha.WidgetFor(tenants.CaptchaHCaptcha, "")
	require.Equal(t, "https://js.hcaptcha.com/1/api.js", w.ScriptURL)

	w, ok = captcha.WidgetFor(tenants.CaptchaHCaptcha, "http://127.0.0.1:8555/")
	require.True(t, ok)
	require.Equal(t, "http://127.0.0.1:8555/1/api.js", w.ScriptURL)
	require.Equal(t, []string{"http://127.0.0.1:8555"}, w.Sources)

	_, ok = captcha.WidgetFor(tenants.CaptchaOff, "")
	require.False(t, ok)
}

func TestEndpointsAt_KeepsTheProvidersPaths(t *testing.T) {
	t.Parallel()
	require.Nil(t, captcha.EndpointsAt(""))
	require.Equal(t, map[string]string{
		tenants.CaptchaTurnstile: "https://mirror.example/turnstile/v0/siteverify",
		tenants.CaptchaReCAPTCHA: "https://mirror.example/recaptcha/api/siteverify",
		tenants.CaptchaHCaptcha:  "https://mirror.example/siteverify",
	}, captcha.EndpointsAt("https://mirror.example"))
}

func TestValidateOrigin_RefusesAnythingButAnOrigin(t *testing.T) {
	t.Parallel()
	require.NoError(t, captcha.ValidateOrigin(""))
	require.NoError(t, captcha.ValidateOrigin("http://127.0.0.1:8555"))
	for _, bad := range []string{"127.0.0.1:8555", "ftp://x", "https://x/path", "https://x?q=1", "https://user@x", "https://"} {
		require.Error(t, captcha.ValidateOrigin(bad), bad)
	}
}
