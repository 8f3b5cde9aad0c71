package tenants

import (
	"fmt"
	"slices"
	"strings"
)

// Identifier kinds a tenant can use.
const (
	IdentifierEmail    = "email"
	IdentifierPhone    = "phone"
	IdentifierUsername = "username"
)

// Sign-in methods other than passkeys.
const (
	MethodPassword  = "password"
	MethodEmailCode = "email_code"
	MethodSMSCode   = "sms_code"
)

// MFA factors.
const (
	FactorWebAuthn    = "webauthn"
	FactorTOTP        = "totp"
	FactorSMS         = "sms"
	FactorBackupCodes = "backup_codes"
)

// MFA policies.
const (
	// MFAUserControlled lets each user turn 2-step verification on or off;
	// such a tenant never forces it.
	MFAUserControlled = "user_controlled"
	// MFAMandatory makes every user bind and pass a second factor.
	MFAMandatory = "mandatory"
)

// CAPTCHA providers.
const (
	CaptchaOff       = "off"
	CaptchaTurnstile = "turnstile"
	CaptchaReCAPTCHA = "recaptcha"
	CaptchaHCaptcha  = "hcaptcha"
)

// SignUp configures what a new user gives.
type SignUp struct {
	// Identifiers a new user may give, from email, phone and username.
	// Default [email].
	Identifiers []string `json:"identifiers"`
	// Required lists the identifiers a new user must give; each must be
	// in Identifiers. Default [email].
	Required []string `json:"required"`
	// VerifyIdentifiers has emails and phone numbers proved by a code
	// before the account exists. Default true.
	VerifyIdentifiers bool `json:"verify_identifiers"`
	// Password asks for a password at sign-up. Default false: Sesame is
	// passkey-first.
	Password bool `json:"password"`
	// PasskeyPrompt offers "Create a passkey?" once the account exists.
	// Default true.
	PasskeyPrompt bool `json:"passkey_prompt"`
}

// SignIn configures the methods other than passkeys, per identifier kind.
type SignIn struct {
	// Methods maps an identifier kind to the methods a user who typed one
	// may use: password (any kind), email_code (email), sms_code (phone).
	// Default: email → password, email_code; phone → password, sms_code;
	// username → password.
	Methods map[string][]string `json:"methods"`
}

// PasswordPolicy configures passwords (hashed with argon2id).
type PasswordPolicy struct {
	// MinLength in characters, at least 8. Default 10.
	MinLength int `json:"min_length"`
	// MaxLength in characters, 64 to 1024. Default 256.
	MaxLength int `json:"max_length"`
	// RejectCommon refuses passwords on the shipped list of common and
	// breached passwords. Default true.
	RejectCommon bool `json:"reject_common"`
}

// MFA configures the second factor.
type MFA struct {
	// Factors enabled, from webauthn, totp, sms and backup_codes. Default
	// webauthn, totp, backup_codes. Backup codes are a recovery factor and
	// cannot be the only one.
	Factors []string `json:"factors"`
	// Policy is user_controlled or mandatory. Default user_controlled.
	Policy string `json:"policy"`
	// PromptAtSignUp shows "Turn on 2-step verification" after a user
	// created a passkey at sign-up (user-controlled policy). Default true.
	PromptAtSignUp bool `json:"prompt_at_sign_up"`
}

// Captcha configures the CAPTCHA guarding password and code submissions
// (never the passkey paths).
type Captcha struct {
	// Provider is off, turnstile, recaptcha or hcaptcha. Default off.
	Provider string `json:"provider"`
	// SiteKey is the public key the page uses.
	SiteKey string `json:"site_key,omitempty"`
	// Secret is the server-side key; write-only in the APIs.
	Secret string `json:"secret,omitempty"`
}

// SMSPolicy limits where SMS codes may go, against SMS pumping.
type SMSPolicy struct {
	// AllowedCallingCodes lists the country calling codes (without +,
	// e.g. "1", "44", "34") numbers must start with. Empty allows all.
	AllowedCallingCodes []string `json:"allowed_calling_codes,omitempty"`
}

// DefaultSignUp returns the sign-up settings of a new tenant.
func DefaultSignUp() SignUp {
	return SignUp{Identifiers: []string{IdentifierEmail}, Required: []string{IdentifierEmail}, VerifyIdentifiers: true, PasskeyPrompt: true}
}

// DefaultSignIn returns the sign-in method settings of a new tenant.
func DefaultSignIn() SignIn {
	return SignIn{Methods: map[string][]string{
		IdentifierEmail:    {MethodPassword, MethodEmailCode},
		IdentifierPhone:    {MethodPassword, MethodSMSCode},
		IdentifierUsername: {MethodPassword},
	}}
}

// DefaultPasswordPolicy returns the password policy of a new tenant.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLength: 10, MaxLength: 256, RejectCommon: true}
}

// DefaultMFA returns the MFA settings of a new tenant.
func DefaultMFA() MFA {
	return MFA{Factors: []string{FactorWebAuthn, FactorTOTP, FactorBackupCodes}, Policy: MFAUserControlled, PromptAtSignUp: true}
}

var identifierKinds = []string{IdentifierEmail, IdentifierPhone, IdentifierUsername}

func listProblem(field string, values, allowed []string) error {
	seen := map[string]bool{}
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			return &InputError{Field: field, Problem: fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", "))}
		}
		if seen[v] {
			return &InputError{Field: field, Problem: fmt.Sprintf("%q is listed twice", v)}
		}
		seen[v] = true
	}
	return nil
}

// Validate checks the sign-up settings.
func (s SignUp) Validate() error {
	if len(s.Identifiers) == 0 {
		return &InputError{Field: "sign_up.identifiers", Problem: "is empty; a new user needs at least one of email, phone or username"}
	}
	if err := listProblem("sign_up.identifiers", s.Identifiers, identifierKinds); err != nil {
		return err
	}
	if err := listProblem("sign_up.required", s.Required, s.Identifiers); err != nil {
		return err
	}
	if len(s.Required) == 0 {
		return &InputError{Field: "sign_up.required", Problem: "is empty; require at least one identifier so every account can be found"}
	}
	return nil
}

// Validate checks the sign-in methods.
func (s SignIn) Validate() error {
	allowed := map[string][]string{
		IdentifierEmail:    {MethodPassword, MethodEmailCode},
		IdentifierPhone:    {MethodPassword, MethodSMSCode},
		IdentifierUsername: {MethodPassword},
	}
	for kind, methods := range s.Methods {
		ok, known := allowed[kind]
		if !known {
			return &InputError{Field: "sign_in.methods", Problem: fmt.Sprintf("%q is not an identifier kind; use email, phone or username", kind)}
		}
		if err := listProblem("sign_in.methods."+kind, methods, ok); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the password policy.
func (p PasswordPolicy) Validate() error {
	if p.MinLength < 8 {
		return &InputError{Field: "password.min_length", Problem: fmt.Sprintf("%d is below 8, the least a password may have", p.MinLength),
			Params: map[string]any{"reason": "below", "value": p.MinLength, "min": 8}}
	}
	if p.MaxLength < 64 || p.MaxLength > 1024 {
		return outside("password.max_length", p.MaxLength, 64, 1024, "long passphrases must fit")
	}
	if p.MinLength > p.MaxLength {
		return &InputError{Field: "password.min_length", Problem: "is above password.max_length"}
	}
	return nil
}

// Validate checks the MFA settings.
func (m MFA) Validate() error {
	if err := listProblem("mfa.factors", m.Factors, []string{FactorWebAuthn, FactorTOTP, FactorSMS, FactorBackupCodes}); err != nil {
		return err
	}
	if m.Policy != MFAUserControlled && m.Policy != MFAMandatory {
		return &InputError{Field: "mfa.policy", Problem: fmt.Sprintf("%q is neither user_controlled nor mandatory", m.Policy)}
	}
	primary := slices.DeleteFunc(slices.Clone(m.Factors), func(f string) bool { return f == FactorBackupCodes })
	if len(m.Factors) > 0 && len(primary) == 0 {
		return &InputError{Field: "mfa.factors", Problem: "backup codes recover a second factor and cannot be the only one; enable webauthn, totp or sms too"}
	}
	if m.Policy == MFAMandatory && len(primary) == 0 {
		return &InputError{Field: "mfa.policy", Problem: "mandatory MFA needs at least one factor enabled (webauthn, totp or sms)"}
	}
	return nil
}

// Validate checks the CAPTCHA settings.
func (c Captcha) Validate() error {
	switch c.Provider {
	case CaptchaOff:
		return nil
	case CaptchaTurnstile, CaptchaReCAPTCHA, CaptchaHCaptcha:
		if c.SiteKey == "" || c.Secret == "" {
			return &InputError{Field: "captcha", Problem: fmt.Sprintf("%s needs both the site key and the secret", c.Provider)}
		}
		return nil
	}
	return &InputError{Field: "captcha.provider", Problem: fmt.Sprintf("%q is not one of off, turnstile, recaptcha, hcaptcha", c.Provider)}
}

// Validate checks the SMS policy.
func (s SMSPolicy) Validate() error {
	for _, c := range s.AllowedCallingCodes {
		if len(c) < 1 || len(c) > 3 || strings.Trim(c, "0123456789") != "" || c[0] == '0' {
			return &InputError{Field: "sms.allowed_calling_codes", Problem: fmt.Sprintf("%q is not a country calling code such as 1, 44 or 34", c)}
		}
	}
	return nil
}

// Allows reports whether an E.164 number may receive SMS under the policy.
func (s SMSPolicy) Allows(e164 string) bool {
	if len(s.AllowedCallingCodes) == 0 {
		return true
	}
	for _, c := range s.AllowedCallingCodes {
		if strings.HasPrefix(e164, "+"+c) {
			return true
		}
	}
	return false
}

// Limits caps what one tenant may cause in total, across all recipients
// and clients: a bound on cost (SMS is paid per message) and on abuse that
// spreads over many numbers and addresses.
type Limits struct {
	// CodeSendsPerHour is how many verification codes (email and SMS
	// together) the tenant sends per hour. Default 1000; 1 to 1,000,000.
	CodeSendsPerHour int `json:"code_sends_per_hour"`
}

// DefaultLimits returns the limits of a new tenant.
func DefaultLimits() Limits { return Limits{CodeSendsPerHour: 1000} }

// Validate checks the limits.
func (l Limits) Validate() error {
	if l.CodeSendsPerHour < 1 || l.CodeSendsPerHour > 1_000_000 {
		return outside("limits.code_sends_per_hour", l.CodeSendsPerHour, 1, 1_000_000, "")
	}
	return nil
}
