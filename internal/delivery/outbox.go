package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/internal/clock"
)

// MessageKind says whether an OutboxMessage is an SMS or an email.
type MessageKind string

// The kinds of OutboxMessage.
const (
	KindSMS   MessageKind = "sms"
	KindEmail MessageKind = "email"
)

// OutboxMessage is one message kept by an Outbox.
type OutboxMessage struct {
	// ID is the ID SendSMS or SendEmail returned ("sms-…" or "email-…").
	ID string
	// Kind is KindSMS or KindEmail.
	Kind MessageKind
	// To is the phone number or email address.
	To string
	// Subject is the email subject; empty for an SMS.
	Subject string
	// Body is the SMS body or the email text.
	Body string
	// SentAt is when the message was kept.
	SentAt time.Time
	// TenantID is the tenant whose code this is, for the messages sent
	// through ForTenant; uuid.Nil for those sent on the Outbox itself.
	// The console shows an administrator only the messages of the tenants
	// they manage.
	TenantID uuid.UUID
}

// OutboxConfig configures an Outbox.
type OutboxConfig struct {
	// Size is how many messages are kept; older ones are dropped.
	// Default 100.
	Size int

	// Logger receives one line per message: its kind, recipient and ID,
	// never its subject or body, which may carry a code. Default: discard.
	Logger *slog.Logger

	// Clock stamps SentAt. Default: the wall clock.
	Clock clock.Clock
}

// WithDefaults returns c with every zero field set to its default.
func (c OutboxConfig) WithDefaults() OutboxConfig {
	if c.Size <= 0 {
		c.Size = 100
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	return c
}

// Outbox is a development sender: instead of delivering, it keeps the last
// messages in memory for a developer to read with Messages. It implements
// SMSSender and EmailSender and is safe for concurrent use. It must not be
// used in production, where it would make codes readable by whoever can
// call Messages.
type Outbox struct {
	cfg OutboxConfig

	mu   sync.Mutex
	ring []OutboxMessage // circular, len ≤ cfg.Size
	next int             // where the next message goes once ring is full
}

var (
	_ SMSSender   = (*Outbox)(nil)
	_ EmailSender = (*Outbox)(nil)
)

// NewOutbox returns an empty Outbox.
func NewOutbox(cfg OutboxConfig) *Outbox {
	cfg = cfg.WithDefaults()
	return &Outbox{cfg: cfg, ring: make([]OutboxMessage, 0, cfg.Size)}
}

// SendSMS keeps sms, with no tenant, and returns its ID. An empty To
// fails permanently.
func (o *Outbox) SendSMS(ctx context.Context, sms SMS) (string, error) {
	return o.sendSMS(ctx, uuid.Nil, sms)
}

// SendEmail keeps email, with no tenant, and returns its ID. An empty To
// fails permanently.
func (o *Outbox) SendEmail(ctx context.Context, email Email) (string, error) {
	return o.sendEmail(ctx, uuid.Nil, email)
}

// ForTenant returns the sender of one tenant's messages into o: each
// message it keeps carries the tenant's id (OutboxMessage.TenantID), so
// that the console can show an administrator only the codes of the
// tenants they manage.
func (o *Outbox) ForTenant(tenantID uuid.UUID) *TenantOutbox {
	return &TenantOutbox{outbox: o, tenantID: tenantID}
}

// TenantOutbox is one tenant's door into an Outbox; see Outbox.ForTenant.
// It implements SMSSender and EmailSender.
type TenantOutbox struct {
	outbox   *Outbox
	tenantID uuid.UUID
}

var (
	_ SMSSender   = (*TenantOutbox)(nil)
	_ EmailSender = (*TenantOutbox)(nil)
)

// SendSMS keeps sms as the tenant's and returns its ID.
func (t *TenantOutbox) SendSMS(ctx context.Context, sms SMS) (string, error) {
	return t.outbox.sendSMS(ctx, t.tenantID, sms)
}

// SendEmail keeps email as the tenant's and returns its ID.
func (t *TenantOutbox) SendEmail(ctx context.Context, email Email) (string, error) {
	return t.outbox.sendEmail(ctx, t.tenantID, email)
}

func (o *Outbox) sendSMS(ctx context.Context, tenantID uuid.UUID, sms SMS) (string, error) {
	if strings.TrimSpace(sms.To) == "" {
		return "", fmt.Errorf("outbox: send sms: empty recipient: %w", ErrPermanent)
	}
	return o.keep(ctx, OutboxMessage{Kind: KindSMS, To: sms.To, Body: sms.Body, TenantID: tenantID}), nil
}

func (o *Outbox) sendEmail(ctx context.Context, tenantID uuid.UUID, email Email) (string, error) {
	if strings.TrimSpace(email.To) == "" {
		return "", fmt.Errorf("outbox: send email: empty recipient: %w", ErrPermanent)
	}
	return o.keep(ctx, OutboxMessage{Kind: KindEmail, To: email.To, Subject: email.Subject, Body: email.Text, TenantID: tenantID}), nil
}

func (o *Outbox) keep(ctx context.Context, m OutboxMessage) string {
	var random [8]byte
	_, _ = rand.Read(random[:]) // never fails (crypto/rand crashes the program instead)
	m.ID = string(m.Kind) + "-" + hex.EncodeToString(random[:])
	m.SentAt = o.cfg.Clock.Now()

	o.mu.Lock()
	if len(o.ring) < o.cfg.Size {
		o.ring = append(o.ring, m)
	} else {
		o.ring[o.next] = m
		o.next = (o.next + 1) % o.cfg.Size
	}
	o.mu.Unlock()

	// Subject and body stay out of the log: either may carry a code.
	o.cfg.Logger.InfoContext(ctx, "outbox: message kept", "kind", string(m.Kind), "to", m.To, "id", m.ID)
	return m.ID
}

// Messages returns the kept messages, newest first.
func (o *Outbox) Messages() []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]OutboxMessage, 0, len(o.ring))
	// Once full, the oldest message sits at next; before, at 0 (next is 0).
	for i := len(o.ring) - 1; i >= 0; i-- {
		out = append(out, o.ring[(o.next+i)%len(o.ring)])
	}
	return out
}
