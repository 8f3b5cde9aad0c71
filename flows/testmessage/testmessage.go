// Package testmessage sends a test message through a tenant's SMS or email
// provider, so that an administrator sees at once whether the provider
// settings work. It is a management operation: the caller checks that the
// administrator may manage the tenant.
//
// A provider's refusal is logged with its text and answered with the
// public ErrProviderFailed: a provider's error text is not the client's to
// read (it may name accounts, numbers or internal hosts).
package testmessage

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// PerHour is how many test messages a tenant may send per hour.
const PerHour = 10

// The public errors of Send.
var (
	// ErrRateLimited refuses a test message over PerHour.
	ErrRateLimited = errcode.ErrRateLimited
	// ErrProviderFailed is a provider that did not take the message; the
	// server log has its answer.
	ErrProviderFailed = errcode.ErrProviderError
)

// Service sends test messages.
type Service struct {
	DB *db.DB
	// Senders are the tenants' SMS and email providers.
	Senders jobs.Senders
	// Clock defaults to the wall clock; Logger to one that discards.
	Clock  clock.Clock
	Logger *slog.Logger
}

// Send sends a test message by channel (db.ChannelSMS or
// db.ChannelEmail) to to, a phone number or an email address, through t's
// provider, and returns the provider's message id.
func (s *Service) Send(ctx context.Context, t *tenants.Tenant, channel, to string) (string, error) {
	if s.Senders == nil {
		return "", errors.New("send test message: no senders configured")
	}
	addr, err := recipient(t, channel, to)
	if err != nil {
		return "", err
	}
	if err := s.count(ctx, t); err != nil {
		return "", err
	}
	text := "This is a test message from " + t.Name + ". Your provider settings work."
	var id string
	if channel == db.ChannelSMS {
		var sender delivery.SMSSender
		if sender, err = s.Senders.SMS(ctx, t.ID); err == nil {
			id, err = sender.SendSMS(ctx, delivery.SMS{To: addr, Body: text})
		}
	} else {
		var sender delivery.EmailSender
		if sender, err = s.Senders.Email(ctx, t.ID); err == nil {
			id, err = sender.SendEmail(ctx, delivery.Email{To: addr, Subject: "Test message from " + t.Name, Text: text})
		}
	}
	if err != nil {
		// The delivery package's errors carry no secret and no message
		// body; they stay in the server's log all the same.
		s.logger().WarnContext(ctx, "test message not sent", "tenant", t.Slug, "channel", channel, "err", err)
		return "", ErrProviderFailed
	}
	return id, nil
}

// recipient checks that to is an address of channel, and a number the
// tenant sends SMS to.
func recipient(t *tenants.Tenant, channel, to string) (string, error) {
	kind, addr, ok := flows.ParseIdentifier(to)
	want := map[string]string{db.ChannelSMS: db.IdentifierPhone, db.ChannelEmail: db.IdentifierEmail}[channel]
	if !ok || kind != want {
		if channel == db.ChannelSMS {
			return "", &tenants.InputError{Field: "to", Problem: "is not a phone number in international form, such as +14155550123"}
		}
		return "", &tenants.InputError{Field: "to", Problem: "is not an email address"}
	}
	if channel == db.ChannelSMS && !t.Settings.SMS.Allows(addr) {
		return "", flows.ErrPhoneNotAllowed.WithField("to", "This number's country is not among the tenant's allowed SMS countries.")
	}
	return addr, nil
}

// count counts one test message of the tenant, committed even when over
// the limit.
func (s *Service) count(ctx context.Context, t *tenants.Tenant) error {
	now := time.Now()
	if s.Clock != nil {
		now = s.Clock.Now()
	}
	var over bool
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		n, err := tx.ForTenant(t.ID).Hit(ctx, "test_message", time.Hour, now)
		over = n > PerHour
		return err
	})
	if err != nil {
		return err
	}
	if over {
		return ErrRateLimited
	}
	return nil
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}
