package tenants

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-id/sesame/db"
)

// AdminSlug is the built-in admin tenant: its users are the console's
// administrators, who sign in on admin.{base domain} with Sesame's own
// flows (passkeys first, the same fallbacks and MFA). Slug rules reserve
// "admin", so no customer tenant can take it.
const AdminSlug = "admin"

// AdminName is the admin tenant's display name, shown on its sign-in page
// and by authenticators.
const AdminName = "Sesame console"

// IsAdmin reports whether t is the admin tenant.
func (t *Tenant) IsAdmin() bool { return t != nil && t.Slug == AdminSlug }

// SignUpOpen reports whether people may create their own accounts on t.
// The admin tenant's users are the console's administrators, so it has no
// sign-up by any door: its users are made only by setup (`sesame admin
// create`, `serve --demo`), which also gives them their administrator
// record. The sign-up flow asks this before every step (signup.Machine's
// Open), and the hosted pages ask it before offering sign-up.
func (t *Tenant) SignUpOpen() bool { return t != nil && !t.IsAdmin() }

// EnsureAdmin returns the admin tenant, creating it on first use with the
// default settings.
func (s *Service) EnsureAdmin(ctx context.Context) (*Tenant, error) {
	t, err := s.BySlug(ctx, AdminSlug)
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	doc, err := DefaultSettings().Encode()
	if err != nil {
		return nil, err
	}
	row := &db.Tenant{Slug: AdminSlug, Name: AdminName, Settings: doc}
	if err := s.db.Tenants().Create(ctx, row); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return s.BySlug(ctx, AdminSlug)
		}
		return nil, fmt.Errorf("create the admin tenant: %w", err)
	}
	return fromRow(row)
}
