package jobs

import (
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// minutesLeft is how long a code stays valid, rounded up: a code issued
// with 9m59.9s left is "10 minutes".
func minutesLeft(left time.Duration) int {
	return int((left + time.Minute - 1) / time.Minute)
}

// tenantCodeMessage is the message in the tenant's own template for the
// channel and lang (tenants.Messages, validated when saved: a body always
// has {code}), or def, Sesame's words, when the tenant has none there.
func tenantCodeMessage(tenant *db.Tenant, channel, value string, left time.Duration, lang string, def codeMessage) codeMessage {
	s, err := tenants.ParseSettings(tenant.Settings)
	if err != nil {
		// Stored settings were valid when saved; Sesame's words still
		// carry the code.
		return def
	}
	v := tenants.MessageValues{Code: value, Minutes: minutesLeft(left), Tenant: displayName(tenant)}
	switch channel {
	case db.ChannelSMS:
		if text, ok := s.Messages.SMS(lang, v); ok {
			return codeMessage{text: text}
		}
	case db.ChannelEmail:
		if subject, text, ok := s.Messages.Email(lang, v); ok {
			return codeMessage{subject: displaySafe(subject), text: text}
		}
	}
	return def
}
