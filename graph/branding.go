package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/tenants"
)

// brandingOf is the branding section as the API shows it, languages in
// tenants.Locales' order.
func brandingOf(b tenants.Branding) *model.BrandingSettings {
	out := &model.BrandingSettings{Theme: enum[model.Theme](b.Theme), CustomCSS: b.CustomCSS, PrimaryColor: optional(b.PrimaryColor), Texts: []*model.BrandingTexts{}}
	for _, lang := range tenants.Locales {
		if t, ok := b.Texts[lang]; ok {
			out.Texts = append(out.Texts, &model.BrandingTexts{Locale: lang, SignInHeading: t.SignInHeading, SignUpHeading: t.SignUpHeading, TermsURL: t.TermsURL, PrivacyURL: t.PrivacyURL})
		}
	}
	return out
}

// messagesOf is the code message templates as the API shows them.
func messagesOf(m tenants.Messages) *model.MessageSettings {
	out := &model.MessageSettings{Templates: []*model.MessageTemplate{}}
	for _, lang := range tenants.Locales {
		if t, ok := m.Templates[lang]; ok {
			out.Templates = append(out.Templates, &model.MessageTemplate{Locale: lang, EmailSubject: t.EmailSubject, EmailBody: t.EmailBody, Sms: t.SMS})
		}
	}
	return out
}

// applyBranding replaces the branding and messages sections given; a
// language whose texts are all empty is dropped. The tenant service
// validates the result.
func applyBranding(s tenants.Settings, in model.UpdateSettingsInput) tenants.Settings {
	if v := in.Branding; v != nil {
		b := tenants.Branding{PrimaryColor: strings.ToLower(deref(v.PrimaryColor)), Theme: value(v.Theme), CustomCSS: raw(v.CustomCSS)}
		for _, t := range v.Texts {
			bt := tenants.BrandTexts{SignInHeading: raw(t.SignInHeading), SignUpHeading: raw(t.SignUpHeading), TermsURL: deref(t.TermsURL), PrivacyURL: deref(t.PrivacyURL)}
			if bt == (tenants.BrandTexts{}) {
				continue
			}
			if b.Texts == nil {
				b.Texts = map[string]tenants.BrandTexts{}
			}
			b.Texts[t.Locale] = bt
		}
		s.Branding = b
	}
	if v := in.Messages; v != nil {
		m := tenants.Messages{}
		for _, t := range v.Templates {
			mt := templateOf(t)
			if mt == (tenants.MessageTemplate{}) {
				continue
			}
			if m.Templates == nil {
				m.Templates = map[string]tenants.MessageTemplate{}
			}
			m.Templates[t.Locale] = mt
		}
		s.Messages = m
	}
	return s
}

func templateOf(t *model.MessageTemplateInput) tenants.MessageTemplate {
	return tenants.MessageTemplate{EmailSubject: deref(t.EmailSubject), EmailBody: raw(t.EmailBody), SMS: raw(t.Sms)}
}

// raw is an optional text kept as typed but for surrounding white space.
func raw(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// logoOf is a stored logo as the API shows it.
func logoOf(l *db.Logo, size int) *model.Logo {
	return &model.Logo{URL: tenants.LogoPath + "?v=" + l.Version, ContentType: l.ContentType, Bytes: size, Width: l.Width, Height: l.Height}
}

// setLogo decodes the picture and hands it to tenants.Service.SetLogo,
// the one logo rule.
func (r *Resolver) setLogo(ctx context.Context, image string) (*model.Logo, error) {
	data, err := decodePicture(image)
	if err != nil {
		return nil, err
	}
	l, err := r.Tenants.SetLogo(ctx, callerFrom(ctx).tenant, data)
	if err != nil {
		return nil, err
	}
	return logoOf(l, len(data)), nil
}

// tenantLogo is the tenant's logo, nil when it has none.
func (r *Resolver) tenantLogo(ctx context.Context, t *tenants.Tenant) (*model.Logo, error) {
	l, err := r.DB.ForTenant(t.ID).Logos().Get(ctx)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return logoOf(l, len(l.Data)), nil
}

// previewMessage renders a template with tenants.Preview, the check and
// the rendering the jobs use.
func (r *Resolver) previewMessage(ctx context.Context, channel model.Channel, locale string, in model.MessageTemplateInput) (*model.MessagePreview, error) {
	t := callerFrom(ctx).tenant
	ch := "email"
	if channel == model.ChannelSms {
		ch = "sms"
	}
	subject, body, err := tenants.Preview(ch, locale, templateOf(&in), t.Name, int(flows.CodeTTL/time.Minute))
	if err != nil {
		return nil, err
	}
	out := &model.MessagePreview{Text: body}
	if ch == "email" {
		out.Subject = &subject
	}
	return out, nil
}
