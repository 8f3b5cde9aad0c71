// Package delivery sends the messages that carry one-time codes: SMS through
// Twilio and email through an SMTP relay, or into an in-memory Outbox during
// development.
//
// Senders are called by River jobs, which run at least once. Every error a
// sender returns is either permanent (it wraps ErrPermanent: the same send
// would fail again, so the job must not retry) or temporary (anything else:
// a retry may succeed). Senders never log, and their errors never contain a
// message body or a credential, because a body carries a code.
package delivery

import (
	"context"
	"errors"
)

// SMS is one text message to a phone number.
type SMS struct {
	// To is the recipient's phone number in E.164 form ("+14155550100").
	To string
	// Body is the text of the message. It carries a code: it is never
	// logged nor put in an error.
	Body string
}

// Email is one plain-text email to one recipient.
type Email struct {
	// To is the recipient's address, with or without a display name
	// ("ada@example.com" or "Ada <ada@example.com>").
	To string
	// Subject is the subject line; non-ASCII text is MIME-encoded.
	Subject string
	// Text is the plain-text body. It carries a code: it is never logged
	// nor put in an error.
	Text string
}

// SMSSender sends text messages. SendSMS returns the provider's ID of the
// accepted message, which the caller records to make a retried job
// traceable. An error wrapping ErrPermanent must not be retried.
type SMSSender interface {
	SendSMS(ctx context.Context, sms SMS) (messageID string, err error)
}

// EmailSender sends emails. SendEmail returns the ID of the accepted
// message (for SMTP its Message-ID header). An error wrapping ErrPermanent
// must not be retried.
type EmailSender interface {
	SendEmail(ctx context.Context, email Email) (messageID string, err error)
}

// ErrPermanent marks a failure that a retry cannot fix: an invalid or
// unreachable recipient, a recipient who refused messages, a malformed
// message, or credentials the provider rejected. Errors that do not wrap it
// (timeouts, rate limits, provider outages, refused connections) are
// temporary.
var ErrPermanent = errors.New("permanent delivery failure")

// IsPermanent reports whether err must not be retried, that is whether it
// wraps ErrPermanent. IsPermanent(nil) is false.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent)
}

// ConfigError is one bad setting of a sender's configuration, as NewTwilio
// and NewSMTP report them (joined, one per setting). Its message never
// quotes a credential.
type ConfigError struct {
	// Field is the configuration field at fault ("AccountSID", "Port").
	Field string
	err   error
}

func (e *ConfigError) Error() string { return e.err.Error() }

func fieldError(field string, err error) error { return &ConfigError{Field: field, err: err} }

// ConfigErrors returns every *ConfigError in err (from NewTwilio, NewSMTP,
// TwilioConfig.Validate or SMTPConfig.Validate), in order.
func ConfigErrors(err error) []*ConfigError {
	var out []*ConfigError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if ce, ok := err.(*ConfigError); ok {
			out = append(out, ce)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
