package tenants

import (
	"encoding/json"
	"fmt"
	"slices"
)

// SettingsSchema is the version of the settings document this binary
// writes. A document with a lower version is upgraded when read; a higher
// one is refused (a newer Sesame wrote it).
const SettingsSchema = 1

// Locales are the languages Sesame's hosted pages speak.
var Locales = []string{"en", "es", "zh-CN"}

// Settings is a tenant's configuration document, stored as versioned JSON
// on the tenant row. Every field has a default (DefaultSettings), so a
// document that lacks a field reads as the default.
type Settings struct {
	// Schema is the document version; see SettingsSchema.
	Schema int `json:"schema"`

	// DefaultLocale is the language of the hosted pages when the browser
	// asks for none that Sesame speaks. One of Locales; default "en".
	DefaultLocale string `json:"default_locale"`

	// Passkeys configures passkey sign-in and the WebAuthn relying party.
	Passkeys Passkeys `json:"passkeys"`

	// PasskeyOffers is what the sign-in offers a user without a passkey.
	PasskeyOffers PasskeyOffers `json:"passkey_offers"`

	// AuthenticatorPolicy says which authenticators may hold new passkeys.
	AuthenticatorPolicy AuthenticatorPolicy `json:"authenticator_policy"`

	// SignUp, SignIn, Password, MFA, Captcha and SMS configure the rest of
	// the sign-in experience.
	SignUp   SignUp         `json:"sign_up"`
	SignIn   SignIn         `json:"sign_in"`
	Password PasswordPolicy `json:"password"`
	MFA      MFA            `json:"mfa"`
	Captcha  Captcha        `json:"captcha"`
	SMS      SMSPolicy      `json:"sms"`

	// Limits caps what the whole tenant may cause, whoever asks.
	Limits Limits `json:"limits"`

	// Account is what the tenant decides about its users' own accounts
	// (the grace period of a deletion).
	Account AccountPolicy `json:"account"`

	// Recovery is how a person who lost their passkeys gets back in.
	Recovery Recovery `json:"recovery"`

	// Providers deliver the tenant's SMS and email codes. Its secrets (and
	// the CAPTCHA's) never leave through Redacted, String or LogValue.
	Providers Providers `json:"providers"`

	// Branding is the hosted pages' look and words; Messages the code
	// messages' own templates.
	Branding Branding `json:"branding"`
	Messages Messages `json:"messages"`
}

// DefaultSettings returns the settings of a new tenant.
func DefaultSettings() Settings {
	return Settings{
		Schema:              SettingsSchema,
		DefaultLocale:       "en",
		Passkeys:            DefaultPasskeys(),
		PasskeyOffers:       DefaultPasskeyOffers(),
		AuthenticatorPolicy: DefaultAuthenticatorPolicy(),
		SignUp:              DefaultSignUp(),
		SignIn:              DefaultSignIn(),
		Password:            DefaultPasswordPolicy(),
		MFA:                 DefaultMFA(),
		Captcha:             Captcha{Provider: CaptchaOff},
		Limits:              DefaultLimits(),
		Account:             DefaultAccountPolicy(),
		Providers:           DefaultProviders(),
		Branding:            DefaultBranding(),
	}
}

// ParseSettings reads a stored settings document, filling defaults for
// missing fields.
func ParseSettings(raw string) (Settings, error) {
	s := DefaultSettings()
	// encoding/json merges into an existing map, which would bring back
	// identifier kinds a stored document left out on purpose.
	s.SignIn.Methods = nil
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Settings{}, fmt.Errorf("parse tenant settings: %w", err)
	}
	if s.SignIn.Methods == nil {
		s.SignIn.Methods = DefaultSignIn().Methods
	}
	if s.Schema > SettingsSchema {
		return Settings{}, fmt.Errorf("tenant settings have schema %d, newer than this binary's %d; run the newer sesame", s.Schema, SettingsSchema)
	}
	s.Schema = SettingsSchema
	if err := s.Validate(); err != nil {
		return Settings{}, fmt.Errorf("stored tenant settings: %w", err)
	}
	return s, nil
}

// Validate checks every field and returns the first problem as an
// *InputError.
func (s Settings) Validate() error {
	if !slices.Contains(Locales, s.DefaultLocale) {
		return &InputError{Field: "default_locale", Problem: fmt.Sprintf("%q is not a supported language; use one of %v", s.DefaultLocale, Locales)}
	}
	for _, v := range []interface{ Validate() error }{s.Passkeys, s.PasskeyOffers, s.AuthenticatorPolicy, s.SignUp, s.SignIn, s.Password, s.MFA, s.Captcha, s.SMS, s.Limits, s.Account, s.Recovery, s.Providers, s.Branding, s.Messages} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Encode returns the document as stored.
func (s Settings) Encode() (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode tenant settings: %w", err)
	}
	return string(b), nil
}
