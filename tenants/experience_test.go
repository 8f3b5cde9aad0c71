package tenants_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

func TestExperience_DefaultsAreValidAndPasskeyFirst(t *testing.T) {
	t.Parallel()
	s := tenants.DefaultSettings()
	require.NoError(t, s.Validate())
	require.False(t, s.SignUp.Password, "passkey-first: no password at sign-up by default")
	require.True(t, s.SignUp.PasskeyPrompt)
	require.Equal(t, tenants.MFAUserControlled, s.MFA.Policy)
	require.Equal(t, tenants.CaptchaOff, s.Captcha.Provider)
	require.Equal(t, []string{tenants.MethodPassword, tenants.MethodEmailCode}, s.SignIn.Methods[tenants.IdentifierEmail])
	require.GreaterOrEqual(t, s.Password.MaxLength, 64)
}

func TestExperience_RefusesWhatCannotWork(t *testing.T) {
	t.Parallel()
	cases := map[string]func(s *tenants.Settings){
		"sign_up.identifiers":   func(s *tenants.Settings) { s.SignUp.Identifiers = nil },
		"sign_up.required":      func(s *tenants.Settings) { s.SignUp.Required = []string{tenants.IdentifierPhone} },
		"sign_in.methods.email": func(s *tenants.Settings) { s.SignIn.Methods = map[string][]string{"email": {"sms_code"}} },
		"sign_in.methods":       func(s *tenants.Settings) { s.SignIn.Methods = map[string][]string{"fax": {"password"}} },
		"password.min_length":   func(s *tenants.Settings) { s.Password.MinLength = 6 },
		"password.max_length":   func(s *tenants.Settings) { s.Password.MaxLength = 32 },
		"mfa.factors":           func(s *tenants.Settings) { s.MFA.Factors = []string{tenants.FactorBackupCodes} },
		"mfa.policy":            func(s *tenants.Settings) { s.MFA.Policy = "sometimes" },
		"captcha": func(s *tenants.Settings) {
			s.Captcha = tenants.Captcha{Provider: tenants.CaptchaTurnstile, SiteKey: "k"}
		},
		"captcha.provider":          func(s *tenants.Settings) { s.Captcha.Provider = "robots" },
		"sms.allowed_calling_codes": func(s *tenants.Settings) { s.SMS.AllowedCallingCodes = []string{"+44"} },
	}
	for field, change := range cases {
		s := tenants.DefaultSettings()
		change(&s)
		var ie *tenants.InputError
		require.ErrorAs(t, s.Validate(), &ie, field)
		require.Equal(t, field, ie.Field)
	}

	mandatoryWithout := tenants.DefaultSettings()
	mandatoryWithout.MFA = tenants.MFA{Policy: tenants.MFAMandatory}
	var ie *tenants.InputError
	require.ErrorAs(t, mandatoryWithout.Validate(), &ie)
	require.Equal(t, "mfa.policy", ie.Field)
}

func TestExperience_StoredMethodsReplaceTheDefaultsWhole(t *testing.T) {
	t.Parallel()
	s, err := tenants.ParseSettings(`{"schema":1,"sign_in":{"methods":{"email":["email_code"]}}}`)
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"email": {"email_code"}}, s.SignIn.Methods, "kinds the document leaves out are not brought back")

	s, err = tenants.ParseSettings(`{"schema":1}`)
	require.NoError(t, err)
	require.Equal(t, tenants.DefaultSignIn(), s.SignIn)
}

func TestSMSPolicy_AllowsOnlyListedCountries(t *testing.T) {
	t.Parallel()
	all := tenants.SMSPolicy{}
	require.True(t, all.Allows("+4915112345678"))
	some := tenants.SMSPolicy{AllowedCallingCodes: []string{"1", "34"}}
	require.True(t, some.Allows("+14155550100"))
	require.True(t, some.Allows("+34600000000"))
	require.False(t, some.Allows("+4915112345678"))
}
