package tenants

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sesame-id/sesame/internal/text"
)

// Message template limits, in characters.
const (
	SubjectMax   = 200
	EmailBodyMax = 4000
	// SMSMax is three SMS segments of GSM-7 text.
	SMSMax = 459
)

// Placeholders are what a code message template may use: {code} (the
// code, required in a body), {minutes} (how long it stays valid) and
// {tenant} (the tenant's name).
var Placeholders = []string{"code", "minutes", "tenant"}

// Messages are the tenant's own code messages per language (a key of
// Locales). A language without a template, or a template's empty part,
// sends Sesame's own words (the locale files' messages namespace).
type Messages struct {
	Templates map[string]MessageTemplate `json:"templates,omitempty"`
}

// MessageTemplate is one language's code messages.
type MessageTemplate struct {
	// EmailSubject and EmailBody make the email; both or neither are set.
	EmailSubject string `json:"email_subject,omitempty"`
	EmailBody    string `json:"email_body,omitempty"`
	// SMS is the text message.
	SMS string `json:"sms,omitempty"`
}

// MessageValues fill a template's placeholders.
type MessageValues struct {
	Code    string
	Minutes int
	Tenant  string
}

var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

// Validate checks every template.
func (m Messages) Validate() error {
	for lang, t := range m.Templates {
		if !slices.Contains(Locales, lang) {
			return &InputError{Field: "messages.templates", Problem: fmt.Sprintf("%q is not a supported language; use one of %v", lang, Locales)}
		}
		if err := t.Validate("messages.templates." + lang); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks one language's templates; field prefixes the fields
// named in an error.
func (t MessageTemplate) Validate(field string) error {
	if (t.EmailSubject == "") != (t.EmailBody == "") {
		f := field + ".email_body"
		if t.EmailSubject == "" {
			f = field + ".email_subject"
		}
		return &InputError{Field: f, Problem: "is empty; give both the email's subject and its text, or neither"}
	}
	if t.EmailSubject != "" {
		if _, err := text.Line(t.EmailSubject, SubjectMax); err != nil {
			return &InputError{Field: field + ".email_subject", Problem: err.Error()}
		}
		if err := checkPlaceholders(t.EmailSubject, false); err != nil {
			return &InputError{Field: field + ".email_subject", Problem: err.Error()}
		}
	}
	for _, part := range []struct {
		name, v string
		max     int
	}{{"email_body", t.EmailBody, EmailBodyMax}, {"sms", t.SMS, SMSMax}} {
		if part.v == "" {
			continue
		}
		if err := text.Check(part.v); err != nil {
			return &InputError{Field: field + "." + part.name, Problem: err.Error()}
		}
		if n := utf8.RuneCountInString(part.v); n > part.max {
			return &InputError{Field: field + "." + part.name, Problem: fmt.Sprintf("is %d characters; it may have at most %d", n, part.max)}
		}
		if err := checkPlaceholders(part.v, true); err != nil {
			return &InputError{Field: field + "." + part.name, Problem: err.Error()}
		}
	}
	return nil
}

// checkPlaceholders refuses an unknown placeholder, an unclosed brace and,
// when needCode, a template without {code}: a message that drops the code
// is useless to its reader.
func checkPlaceholders(s string, needCode bool) error {
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(Placeholders, m[1]) {
			return fmt.Errorf("uses {%s}, which is not a placeholder; use {code}, {minutes} or {tenant}", m[1])
		}
	}
	if rest := placeholderRE.ReplaceAllString(s, ""); strings.ContainsAny(rest, "{}") {
		return fmt.Errorf("has a { or } that is not part of {code}, {minutes} or {tenant}")
	}
	if needCode && !strings.Contains(s, "{code}") {
		return fmt.Errorf("does not contain {code}; the message must give the code")
	}
	return nil
}

// Render fills a template's placeholders. Only known placeholders are
// replaced, once each, so a value (a tenant's name with braces) is never
// read again as a placeholder.
func Render(template string, v MessageValues) string {
	return placeholderRE.ReplaceAllStringFunc(template, func(m string) string {
		switch m {
		case "{code}":
			return v.Code
		case "{minutes}":
			return fmt.Sprint(v.Minutes)
		case "{tenant}":
			return v.Tenant
		}
		return m
	})
}

// Email returns the email of lang rendered with v, and false when the
// tenant has no email template in lang.
func (m Messages) Email(lang string, v MessageValues) (subject, body string, ok bool) {
	t, found := m.Templates[lang]
	if !found || t.EmailBody == "" {
		return "", "", false
	}
	return Render(t.EmailSubject, v), Render(t.EmailBody, v), true
}

// SMS returns the SMS of lang rendered with v, and false when the tenant
// has no SMS template in lang.
func (m Messages) SMS(lang string, v MessageValues) (string, bool) {
	t, found := m.Templates[lang]
	if !found || t.SMS == "" {
		return "", false
	}
	return Render(t.SMS, v), true
}

// PreviewCode is the sample code of a preview.
const PreviewCode = "123456"

// Preview renders t's message for channel ("email" or "sms") as a person
// in lang would receive it from tenant name, with PreviewCode, after the
// checks updateSettings applies; a template that lacks the channel's part
// is refused, naming it.
func Preview(channel, lang string, t MessageTemplate, name string, minutes int) (subject, body string, err error) {
	field := "template"
	if !slices.Contains(Locales, lang) {
		return "", "", &InputError{Field: "locale", Problem: fmt.Sprintf("%q is not a supported language; use one of %v", lang, Locales)}
	}
	if err := t.Validate(field); err != nil {
		return "", "", err
	}
	m := Messages{Templates: map[string]MessageTemplate{lang: t}}
	v := MessageValues{Code: PreviewCode, Minutes: minutes, Tenant: name}
	if channel == "sms" {
		s, ok := m.SMS(lang, v)
		if !ok {
			return "", "", &InputError{Field: field + ".sms", Problem: "is empty; write the text message to preview it"}
		}
		return "", s, nil
	}
	subject, body, ok := m.Email(lang, v)
	if !ok {
		return "", "", &InputError{Field: field + ".email_body", Problem: "is empty; write the email to preview it"}
	}
	return subject, body, nil
}
