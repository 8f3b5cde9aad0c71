package app

import (
	"crypto/tls"
	"net/http"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// SendersConfig is what the code senders need besides the database.
type SendersConfig struct {
	// Outbox, in development, receives the codes of tenants whose
	// providers are outbox (the default); nil in production, where such
	// codes fail with an error naming the setting to configure.
	Outbox *delivery.Outbox
	// TwilioHTTPClient, SMTPDialAddr and SMTPTLSConfig redirect every
	// tenant's Twilio requests and SMTP connections, for tests (see
	// jobs.TenantSendersConfig). Default: none.
	TwilioHTTPClient *http.Client
	SMTPDialAddr     string
	SMTPTLSConfig    *tls.Config
}

// NewSenders returns the senders the code jobs deliver through: each
// tenant's SMS and email providers from its settings.
func NewSenders(d *db.DB, cfg SendersConfig) (*jobs.TenantSenders, error) {
	return jobs.NewTenantSenders(jobs.TenantSendersConfig{
		// Only ByID is used, which needs no base domain.
		Tenants:          tenants.NewService(d, ""),
		Outbox:           cfg.Outbox,
		TwilioHTTPClient: cfg.TwilioHTTPClient,
		SMTPDialAddr:     cfg.SMTPDialAddr,
		SMTPTLSConfig:    cfg.SMTPTLSConfig,
	})
}
