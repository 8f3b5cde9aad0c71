package graph

import (
	"context"
	"strings"

	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/tenants"
)

// GraphQL enum values are the settings document's values in upper case,
// with "-" as "_" (cross-platform is CROSS_PLATFORM).

func enum[T ~string](v string) T { return T(strings.ToUpper(strings.ReplaceAll(v, "-", "_"))) }

func enums[T ~string](vs []string) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = enum[T](v)
	}
	return out
}

func value[T ~string](e T) string {
	v := strings.ToLower(string(e))
	if v == "cross_platform" {
		return tenants.AttachmentCrossPlatform
	}
	return v
}

func values[T ~string](es []T) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = value(e)
	}
	return out
}

// settingsOf is the tenant's settings as the API shows them: secrets are
// never shown, only whether one is set.
func (r *Resolver) settingsOf(ctx context.Context, t *tenants.Tenant) (*model.Settings, error) {
	s := t.Settings
	rp := r.Tenants.RelyingParty(t)
	n, err := r.DB.ForTenant(t.ID).Credentials().CountByRPID(ctx, rp.ID)
	if err != nil {
		return nil, err
	}
	var methods []*model.MethodsForIdentifier
	for _, kind := range []string{tenants.IdentifierEmail, tenants.IdentifierPhone, tenants.IdentifierUsername} {
		if ms, ok := s.SignIn.Methods[kind]; ok {
			methods = append(methods, &model.MethodsForIdentifier{Identifier: enum[model.IdentifierKind](kind), Methods: enums[model.SignInMethod](ms)})
		}
	}
	var siteKey *string
	if s.Captcha.SiteKey != "" {
		siteKey = &s.Captcha.SiteKey
	}
	return &model.Settings{
		DefaultLocale: s.DefaultLocale,
		SignUp: &model.SignUpSettings{
			Identifiers:       enums[model.IdentifierKind](s.SignUp.Identifiers),
			Required:          enums[model.IdentifierKind](s.SignUp.Required),
			VerifyIdentifiers: s.SignUp.VerifyIdentifiers,
			Password:          s.SignUp.Password,
			PasskeyPrompt:     s.SignUp.PasskeyPrompt,
		},
		SignIn:   &model.SignInSettings{Methods: methods},
		Password: &model.PasswordPolicy{MinLength: s.Password.MinLength, MaxLength: s.Password.MaxLength, RejectCommon: s.Password.RejectCommon},
		Passkeys: &model.PasskeySettings{
			SignIn:            s.Passkeys.SignIn,
			ShowButton:        s.Passkeys.ShowButton,
			Autofill:          s.Passkeys.Autofill,
			AllowRegistration: s.Passkeys.AllowRegistration,
			UserVerification:  enum[model.UserVerification](s.Passkeys.UserVerification),
			Attestation:       enum[model.Attestation](s.Passkeys.Attestation),
			Attachment:        enum[model.Attachment](s.Passkeys.Attachment),
			CounterPolicy:     enum[model.CounterPolicy](s.Passkeys.CounterPolicy),
			RpID:              rp.ID,
			RpName:            rp.Name,
			Origins:           rp.Origins,
			PasskeysOnRpid:    n,
		},
		PasskeyOffers: &s.PasskeyOffers,
		AuthenticatorPolicy: &model.AuthenticatorPolicy{
			Mode:               enum[model.AuthenticatorListMode](s.AuthenticatorPolicy.Mode),
			Authenticators:     nonNil(s.AuthenticatorPolicy.Authenticators),
			RequireAttestation: s.AuthenticatorPolicy.RequireAttestation,
			DeviceBoundOnly:    s.AuthenticatorPolicy.DeviceBoundOnly,
		},
		Mfa: &model.MFASettings{
			Factors:        enums[model.MFAFactor](s.MFA.Factors),
			Policy:         enum[model.MFAPolicy](s.MFA.Policy),
			PromptAtSignUp: s.MFA.PromptAtSignUp,
		},
		Captcha:   &model.CaptchaSettings{Provider: enum[model.CaptchaProvider](s.Captcha.Provider), SiteKey: siteKey, SecretSet: s.Captcha.Secret != ""},
		Sms:       &model.SMSPolicy{AllowedCallingCodes: nonNil(s.SMS.AllowedCallingCodes)},
		Limits:    &model.Limits{CodeSendsPerHour: s.Limits.CodeSendsPerHour},
		Account:   &model.AccountSettings{DeletionGraceDays: s.Account.DeletionGraceDays, AuditLogDays: s.Account.AuditLogDays, NewSignInNotice: s.Account.NewSignInNotice},
		Recovery:  &model.RecoverySettings{AllowWithoutPasskey: s.Recovery.AllowWithoutPasskey},
		Providers: providersOf(s.Providers),
		Branding:  brandingOf(s.Branding),
		Messages:  messagesOf(s.Messages),
	}, nil
}

// optional shows an unset setting as null.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func providersOf(p tenants.Providers) *model.Providers {
	out := &model.Providers{
		Sms: &model.SMSProviderSettings{
			Provider:            enum[model.SMSProviderKind](p.SMS.Provider),
			AccountSid:          optional(p.SMS.AccountSID),
			AuthTokenSet:        p.SMS.AuthToken != "",
			From:                optional(p.SMS.From),
			MessagingServiceSid: optional(p.SMS.MessagingServiceSID),
		},
		Email: &model.EmailProviderSettings{
			Provider:    enum[model.EmailProviderKind](p.Email.Provider),
			Host:        optional(p.Email.Host),
			Port:        optional(p.Email.Port),
			Username:    optional(p.Email.Username),
			PasswordSet: p.Email.Password != "",
			From:        optional(p.Email.From),
		},
	}
	if p.Email.TLS != "" {
		tls := enum[model.SMTPTLS](p.Email.TLS)
		out.Email.TLS = &tls
	}
	return out
}

// applyProviders replaces the channels given, keeping a stored secret the
// input leaves out (and dropping it when the provider changes).
func applyProviders(p tenants.Providers, in *model.ProvidersInput) tenants.Providers {
	if v := in.Sms; v != nil {
		next := tenants.SMSProvider{Provider: value(v.Provider), AccountSID: deref(v.AccountSid), From: deref(v.From), MessagingServiceSID: deref(v.MessagingServiceSid)}
		if v.AuthToken != nil {
			next.AuthToken = *v.AuthToken
		} else if next.Provider == p.SMS.Provider {
			next.AuthToken = p.SMS.AuthToken
		}
		p.SMS = next
	}
	if v := in.Email; v != nil {
		next := tenants.EmailProvider{Provider: value(v.Provider), Host: deref(v.Host), Username: deref(v.Username), From: deref(v.From)}
		if v.Port != nil {
			next.Port = *v.Port
		}
		if v.TLS != nil {
			next.TLS = value(*v.TLS)
		}
		if v.Password != nil {
			next.Password = *v.Password
		} else if next.Provider == p.Email.Provider {
			next.Password = p.Email.Password
		}
		p.Email = next
	}
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// applySettings returns s with the sections in the input replaced; the
// tenant service validates the result.
func applySettings(s tenants.Settings, in model.UpdateSettingsInput) tenants.Settings {
	if in.DefaultLocale != nil {
		s.DefaultLocale = *in.DefaultLocale
	}
	if v := in.SignUp; v != nil {
		s.SignUp = tenants.SignUp{
			Identifiers: values(v.Identifiers), Required: values(v.Required),
			VerifyIdentifiers: v.VerifyIdentifiers, Password: v.Password, PasskeyPrompt: v.PasskeyPrompt,
		}
	}
	if v := in.SignIn; v != nil {
		methods := map[string][]string{}
		for _, m := range v.Methods {
			methods[value(m.Identifier)] = values(m.Methods)
		}
		s.SignIn = tenants.SignIn{Methods: methods}
	}
	if v := in.Password; v != nil {
		s.Password = tenants.PasswordPolicy{MinLength: v.MinLength, MaxLength: v.MaxLength, RejectCommon: v.RejectCommon}
	}
	if v := in.Passkeys; v != nil {
		s.Passkeys = tenants.Passkeys{
			SignIn: v.SignIn, ShowButton: v.ShowButton, Autofill: v.Autofill, AllowRegistration: v.AllowRegistration,
			UserVerification: value(v.UserVerification), Attestation: value(v.Attestation),
			Attachment: value(v.Attachment), CounterPolicy: value(v.CounterPolicy),
			RPID: deref(v.RpID), RPName: deref(v.RpName), Origins: v.Origins,
		}
	}
	if v := in.PasskeyOffers; v != nil {
		s.PasskeyOffers = *v
	}
	if v := in.AuthenticatorPolicy; v != nil {
		s.AuthenticatorPolicy = tenants.AuthenticatorPolicy{Mode: value(v.Mode), Authenticators: v.Authenticators,
			RequireAttestation: v.RequireAttestation, DeviceBoundOnly: v.DeviceBoundOnly}
	}
	if v := in.Mfa; v != nil {
		s.MFA = tenants.MFA{Factors: values(v.Factors), Policy: value(v.Policy), PromptAtSignUp: v.PromptAtSignUp}
	}
	if v := in.Captcha; v != nil {
		c := tenants.Captcha{Provider: value(v.Provider), SiteKey: deref(v.SiteKey), Secret: s.Captcha.Secret}
		if v.Secret != nil {
			c.Secret = *v.Secret
		}
		if c.Provider == tenants.CaptchaOff {
			c.SiteKey, c.Secret = "", ""
		}
		s.Captcha = c
	}
	if v := in.Sms; v != nil {
		s.SMS = tenants.SMSPolicy{AllowedCallingCodes: v.AllowedCallingCodes}
	}
	if v := in.Limits; v != nil {
		s.Limits = tenants.Limits{CodeSendsPerHour: v.CodeSendsPerHour}
	}
	if v := in.Account; v != nil {
		s.Account.DeletionGraceDays = v.DeletionGraceDays
		if v.AuditLogDays != nil {
			s.Account.AuditLogDays = *v.AuditLogDays
		}
		if v.NewSignInNotice != nil {
			s.Account.NewSignInNotice = *v.NewSignInNotice
		}
	}
	if v := in.Recovery; v != nil {
		s.Recovery = tenants.Recovery{AllowWithoutPasskey: v.AllowWithoutPasskey}
	}
	if in.Providers != nil {
		s.Providers = applyProviders(s.Providers, in.Providers)
	}
	return applyBranding(s, in)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}
