package tenants

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"unicode"

	"github.com/sesame-id/sesame/internal/delivery"
)

// Delivery providers of the codes a tenant sends.
const (
	// ProviderOutbox is the development outbox: messages are kept in the
	// server's memory, where a developer reads them at /dev/outbox. A
	// production server has no outbox, so codes of a tenant left on it
	// fail for good, each failure logged with what to configure.
	ProviderOutbox = "outbox"
	// ProviderTwilio sends SMS through Twilio's Messages API.
	ProviderTwilio = "twilio"
	// ProviderSMTP sends email through an SMTP relay.
	ProviderSMTP = "smtp"
)

// Redacted replaces a secret in what Redacted and the String and LogValue
// methods print.
const Redacted = "[redacted]"

// Providers configures how the tenant's codes are delivered.
type Providers struct {
	SMS   SMSProvider   `json:"sms"`
	Email EmailProvider `json:"email"`
}

// SMSProvider configures the tenant's SMS codes.
type SMSProvider struct {
	// Provider is outbox or twilio. Default outbox (see ProviderOutbox).
	Provider string `json:"provider"`
	// AccountSID is the Twilio account ("AC" + 32 letters or digits).
	AccountSID string `json:"account_sid,omitempty"`
	// AuthToken is the account's auth token: a secret, write-only in the
	// APIs, never logged.
	AuthToken string `json:"auth_token,omitempty"`
	// From is the sender (an E.164 number or an alphanumeric sender ID);
	// MessagingServiceSID ("MG" + 32) sends through a Messaging Service
	// instead. Exactly one of them.
	From                string `json:"from,omitempty"`
	MessagingServiceSID string `json:"messaging_service_sid,omitempty"`
}

// EmailProvider configures the tenant's email codes.
type EmailProvider struct {
	// Provider is outbox or smtp. Default outbox (see ProviderOutbox).
	Provider string `json:"provider"`
	// Host and Port are the relay's; Port defaults by TLS (587, 465, 25).
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	// TLS is starttls (default), implicit, or none (localhost only).
	TLS string `json:"tls,omitempty"`
	// Username and Password authenticate (AUTH PLAIN over TLS); both or
	// neither. Password is a secret, write-only in the APIs, never logged.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// From is the sender: "no-reply@example.com" or
	// "Acme <no-reply@example.com>".
	From string `json:"from,omitempty"`
}

// DefaultProviders returns the delivery settings of a new tenant: the
// development outbox for both channels.
func DefaultProviders() Providers {
	return Providers{SMS: SMSProvider{Provider: ProviderOutbox}, Email: EmailProvider{Provider: ProviderOutbox}}
}

// Twilio returns the Twilio sender configuration of p.
func (p SMSProvider) Twilio() delivery.TwilioConfig {
	return delivery.TwilioConfig{AccountSID: p.AccountSID, AuthToken: p.AuthToken, From: p.From, MessagingServiceSID: p.MessagingServiceSID}
}

// SMTP returns the SMTP sender configuration of p.
func (p EmailProvider) SMTP() delivery.SMTPConfig {
	return delivery.SMTPConfig{Host: p.Host, Port: p.Port, TLS: p.TLS, Username: p.Username, Password: p.Password, From: p.From}
}

// twilioFields and smtpFields name the settings behind delivery's fields.
var (
	twilioFields = map[string]string{"AccountSID": "account_sid", "AuthToken": "auth_token", "From": "from", "MessagingServiceSID": "messaging_service_sid"}
	smtpFields   = map[string]string{"Host": "host", "Port": "port", "TLS": "tls", "Username": "username", "Password": "password", "From": "from"}
)

// configProblem turns the first of delivery's configuration errors into
// an InputError on the setting behind it.
func configProblem(prefix string, fields map[string]string, err error) error {
	if err == nil {
		return nil
	}
	for _, ce := range delivery.ConfigErrors(err) {
		if name, ok := fields[ce.Field]; ok {
			return &InputError{Field: prefix + name, Problem: settingNames(prefix, fields, ce.Error())}
		}
	}
	return &InputError{Field: prefix[:len(prefix)-1], Problem: err.Error()}
}

// settingNames rewrites delivery's field names in problem ("AccountSID")
// as the settings a tenant sets ("providers.sms.account_sid"), so that the
// sentence names what the API and the console call them.
func settingNames(prefix string, fields map[string]string, problem string) string {
	words := strings.FieldsFunc(problem, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if name, ok := fields[w]; ok {
			problem = replaceWord(problem, w, prefix+name)
		}
	}
	return problem
}

// replaceWord replaces whole-word occurrences of old in s with repl.
func replaceWord(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		whole := (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end]))
		b.WriteString(s[:i])
		if whole {
			b.WriteString(repl)
		} else {
			b.WriteString(old)
		}
		s = s[end:]
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// Validate checks the SMS provider; Twilio settings are checked as the
// Twilio sender checks them.
func (p SMSProvider) Validate() error {
	switch p.Provider {
	case ProviderOutbox:
		return nil
	case ProviderTwilio:
		return configProblem("providers.sms.", twilioFields, p.Twilio().Validate())
	}
	return &InputError{Field: "providers.sms.provider", Problem: fmt.Sprintf("%q is neither outbox nor twilio", p.Provider)}
}

// Validate checks the email provider; SMTP settings are checked as the
// SMTP sender checks them.
func (p EmailProvider) Validate() error {
	switch p.Provider {
	case ProviderOutbox:
		return nil
	case ProviderSMTP:
		return configProblem("providers.email.", smtpFields, p.SMTP().Validate())
	}
	return &InputError{Field: "providers.email.provider", Problem: fmt.Sprintf("%q is neither outbox nor smtp", p.Provider)}
}

// Validate checks both providers.
func (p Providers) Validate() error {
	if err := p.SMS.Validate(); err != nil {
		return err
	}
	return p.Email.Validate()
}

// Redacted returns p with its secrets replaced by Redacted.
func (p Providers) Redacted() Providers {
	if p.SMS.AuthToken != "" {
		p.SMS.AuthToken = Redacted
	}
	if p.Email.Password != "" {
		p.Email.Password = Redacted
	}
	return p
}

// Redacted returns s with every secret (the CAPTCHA secret, the Twilio
// auth token, the SMTP password) replaced by Redacted: what anything that
// prints or returns settings must use.
func (s Settings) Redacted() Settings {
	if s.Captcha.Secret != "" {
		s.Captcha.Secret = Redacted
	}
	s.Providers = s.Providers.Redacted()
	// Maps are shared with s; nothing here writes to them.
	return s
}

// settingsJSON is Settings without its methods, so that printing it does
// not come back to String or LogValue.
type settingsJSON Settings

// String prints the settings as JSON with the secrets redacted.
func (s Settings) String() string {
	b, err := json.Marshal(settingsJSON(s.Redacted()))
	if err != nil {
		return "tenant settings (unprintable)"
	}
	return string(b)
}

// LogValue logs the settings with the secrets redacted.
func (s Settings) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String prints the SMS provider without its auth token.
func (p SMSProvider) String() string {
	if p.AuthToken != "" {
		p.AuthToken = Redacted
	}
	type plain SMSProvider
	return fmt.Sprintf("%+v", plain(p))
}

// LogValue logs the SMS provider without its auth token.
func (p SMSProvider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// String prints the email provider without its password.
func (p EmailProvider) String() string {
	if p.Password != "" {
		p.Password = Redacted
	}
	type plain EmailProvider
	return fmt.Sprintf("%+v", plain(p))
}

// LogValue logs the email provider without its password.
func (p EmailProvider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// String prints the CAPTCHA settings without the secret.
func (c Captcha) String() string {
	if c.Secret != "" {
		c.Secret = Redacted
	}
	type plain Captcha
	return fmt.Sprintf("%+v", plain(c))
}

// LogValue logs the CAPTCHA settings without the secret.
func (c Captcha) LogValue() slog.Value { return slog.StringValue(c.String()) }
