package jobs

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/internal/delivery"
)

// Senders gives the code-sending workers a tenant's SMS and email senders.
// An error wrapping delivery.ErrPermanent (a tenant without an SMS
// provider, say) fails the code for good; any other error is retried.
type Senders interface {
	SMS(ctx context.Context, tenantID uuid.UUID) (delivery.SMSSender, error)
	Email(ctx context.Context, tenantID uuid.UUID) (delivery.EmailSender, error)
}

// StaticSenders sends for every tenant through the same two senders, for
// tests that want one sender whatever the tenant; the server uses
// TenantSenders, which reads each tenant's providers. A nil sender is a
// channel that is not configured: its codes fail permanently.
//
// The fields are not named SMS and Email because those are the methods.
type StaticSenders struct {
	SMSSender   delivery.SMSSender
	EmailSender delivery.EmailSender
}

var _ Senders = StaticSenders{}

// SMS returns s.SMSSender, whatever the tenant.
func (s StaticSenders) SMS(context.Context, uuid.UUID) (delivery.SMSSender, error) {
	if s.SMSSender == nil {
		return nil, fmt.Errorf("no SMS sender is configured: %w", delivery.ErrPermanent)
	}
	return s.SMSSender, nil
}

// Email returns s.EmailSender, whatever the tenant.
func (s StaticSenders) Email(context.Context, uuid.UUID) (delivery.EmailSender, error) {
	if s.EmailSender == nil {
		return nil, fmt.Errorf("no email sender is configured: %w", delivery.ErrPermanent)
	}
	return s.EmailSender, nil
}
