package jobs

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/tenants"
)

// TenantLoader finds a tenant by id; *tenants.Service implements it.
type TenantLoader interface {
	ByID(ctx context.Context, id uuid.UUID) (*tenants.Tenant, error)
}

var _ TenantLoader = (*tenants.Service)(nil)

// TenantSendersConfig configures TenantSenders.
type TenantSendersConfig struct {
	// Tenants loads a tenant's settings. Required.
	Tenants TenantLoader

	// Outbox receives the codes of tenants whose provider is outbox (the
	// default). Nil, as in production: their codes fail for good with an
	// error saying what to configure. Default nil.
	Outbox *delivery.Outbox

	// TwilioHTTPClient carries every tenant's Twilio requests (tests:
	// faketwilio.Server.HTTPClient). Default nil: twilio-go's own.
	TwilioHTTPClient *http.Client

	// SMTPDialAddr, when set, is where every tenant's SMTP connections go
	// instead of the tenant's host and port (tests: fakesmtp.Server.Addr);
	// the tenant's host still names the server for TLS and AUTH. Default
	// "".
	SMTPDialAddr string

	// SMTPTLSConfig is the TLS client configuration of every SMTP
	// connection (tests: fakesmtp.Server.TLSConfig). Default nil: the
	// system roots.
	SMTPTLSConfig *tls.Config
}

// TenantSenders gives each tenant the senders its settings (Providers)
// name: Twilio with the tenant's account, SMTP with the tenant's relay,
// or the development outbox. Senders are built once per tenant and
// settings version, so changed credentials take effect with the next
// code. It is safe for concurrent use.
type TenantSenders struct {
	cfg TenantSendersConfig

	mu    sync.Mutex
	sms   map[uuid.UUID]cachedSender[delivery.SMSSender]
	email map[uuid.UUID]cachedSender[delivery.EmailSender]
}

// cachedSender is a sender built from one version of a tenant's settings.
type cachedSender[S any] struct {
	version int64
	sender  S
}

var _ Senders = (*TenantSenders)(nil)

// NewTenantSenders returns TenantSenders configured by cfg.
func NewTenantSenders(cfg TenantSendersConfig) (*TenantSenders, error) {
	if cfg.Tenants == nil {
		return nil, fmt.Errorf("jobs: TenantSendersConfig.Tenants is required")
	}
	return &TenantSenders{
		cfg:   cfg,
		sms:   map[uuid.UUID]cachedSender[delivery.SMSSender]{},
		email: map[uuid.UUID]cachedSender[delivery.EmailSender]{},
	}, nil
}

// SMS returns the tenant's SMS sender.
func (s *TenantSenders) SMS(ctx context.Context, tenantID uuid.UUID) (delivery.SMSSender, error) {
	t, err := s.cfg.Tenants.ByID(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load tenant %s for its SMS provider: %w", tenantID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.sms[t.ID]; ok && c.version == t.SettingsVersion {
		return c.sender, nil
	}
	p := t.Settings.Providers.SMS
	var sender delivery.SMSSender
	switch p.Provider {
	case tenants.ProviderTwilio:
		cfg := p.Twilio()
		cfg.HTTPClient = s.cfg.TwilioHTTPClient
		tw, err := delivery.NewTwilio(cfg)
		if err != nil {
			// Settings are validated when saved; this is a stored
			// document that no longer passes. The error names fields,
			// never the token.
			return nil, fmt.Errorf("tenant %s: providers.sms: %w: %w", t.Slug, err, delivery.ErrPermanent)
		}
		sender = tw
	default:
		if s.cfg.Outbox == nil {
			return nil, fmt.Errorf("tenant %s has no SMS provider: providers.sms.provider is outbox, and only a development server has an outbox; set it to twilio with the account's settings: %w", t.Slug, delivery.ErrPermanent)
		}
		// Stamped with the tenant: the console shows an administrator
		// only the codes of the tenants they manage.
		sender = s.cfg.Outbox.ForTenant(t.ID)
	}
	s.sms[t.ID] = cachedSender[delivery.SMSSender]{version: t.SettingsVersion, sender: sender}
	return sender, nil
}

// Email returns the tenant's email sender.
func (s *TenantSenders) Email(ctx context.Context, tenantID uuid.UUID) (delivery.EmailSender, error) {
	t, err := s.cfg.Tenants.ByID(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load tenant %s for its email provider: %w", tenantID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.email[t.ID]; ok && c.version == t.SettingsVersion {
		return c.sender, nil
	}
	p := t.Settings.Providers.Email
	var sender delivery.EmailSender
	switch p.Provider {
	case tenants.ProviderSMTP:
		cfg := p.SMTP()
		cfg.DialAddr = s.cfg.SMTPDialAddr
		cfg.TLSConfig = s.cfg.SMTPTLSConfig
		sm, err := delivery.NewSMTP(cfg)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: providers.email: %w: %w", t.Slug, err, delivery.ErrPermanent)
		}
		sender = sm
	default:
		if s.cfg.Outbox == nil {
			return nil, fmt.Errorf("tenant %s has no email provider: providers.email.provider is outbox, and only a development server has an outbox; set it to smtp with the relay's settings: %w", t.Slug, delivery.ErrPermanent)
		}
		sender = s.cfg.Outbox.ForTenant(t.ID)
	}
	s.email[t.ID] = cachedSender[delivery.EmailSender]{version: t.SettingsVersion, sender: sender}
	return sender, nil
}
