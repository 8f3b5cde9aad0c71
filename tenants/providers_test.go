package tenants_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

func secretSettings() tenants.Settings {
	s := tenants.DefaultSettings()
	s.Captcha = tenants.Captcha{Provider: tenants.CaptchaTurnstile, SiteKey: "site-key-public", Secret: "captcha-secret-1x"}
	s.Providers.SMS = tenants.SMSProvider{Provider: tenants.ProviderTwilio, AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "twiliotoken2y", From: "+14155550101"}
	s.Providers.Email = tenants.EmailProvider{Provider: tenants.ProviderSMTP, Host: "smtp.example.com", Username: "mailer", Password: "smtp-password-3z", From: "a@b.example"}
	return s
}

var secrets = []string{"captcha-secret-1x", "twiliotoken2y", "smtp-password-3z"}

func TestSettings_SecretsNeverPrintedOrLogged(t *testing.T) {
	t.Parallel()
	s := secretSettings()
	require.NoError(t, s.Validate())

	r := s.Redacted()
	require.Equal(t, tenants.Redacted, r.Captcha.Secret)
	require.Equal(t, tenants.Redacted, r.Providers.SMS.AuthToken)
	require.Equal(t, tenants.Redacted, r.Providers.Email.Password)
	require.Equal(t, "site-key-public", r.Captcha.SiteKey, "only secrets are hidden")
	require.Equal(t, "twiliotoken2y", s.Providers.SMS.AuthToken, "the original is untouched")
	require.Empty(t, tenants.DefaultSettings().Redacted().Captcha.Secret, "an unset secret stays unset")

	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&logs, nil), slog.NewTextHandler(&logs, nil)} {
		slog.New(h).Info("settings", "settings", s, "sms", s.Providers.SMS, "email", s.Providers.Email, "captcha", s.Captcha)
	}
	printed := logs.String() + fmt.Sprint(s) + fmt.Sprintf("%v %+v %s", s, s.Providers, s.Captcha)
	require.Contains(t, printed, "site-key-public")
	require.Contains(t, printed, "AC0123456789abcdef0123456789abcdef")
	for _, secret := range secrets {
		require.NotContains(t, printed, secret)
	}

	// The stored document keeps them, of course.
	doc, err := s.Encode()
	require.NoError(t, err)
	for _, secret := range secrets {
		require.Contains(t, doc, secret)
	}
}

func TestSettings_ProvidersDefaultToTheOutboxAndOldDocumentsReadSo(t *testing.T) {
	t.Parallel()
	require.Equal(t, tenants.ProviderOutbox, tenants.DefaultSettings().Providers.SMS.Provider)
	require.Equal(t, tenants.ProviderOutbox, tenants.DefaultSettings().Providers.Email.Provider)
	s, err := tenants.ParseSettings(`{"schema":1,"default_locale":"en"}`)
	require.NoError(t, err)
	require.Equal(t, tenants.DefaultProviders(), s.Providers)
}
