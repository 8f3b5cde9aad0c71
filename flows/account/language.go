package account

import (
	"context"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/locale"
	"github.com/sesame-id/sesame/tenants"
)

// SetLocale changes the caller's preferred language: one Sesame speaks
// (locale.Languages; case does not matter, the canonical tag is kept), or
// "" for none, when messages sent without a page's language use the
// tenant's default. Security notices, recovery link emails and invitations
// sent on a change made elsewhere (the console, the API) are written in
// it. It changes no way to sign in and needs no re-verification.
func (s *Service) SetLocale(ctx context.Context, c Caller, tag string) (*db.User, error) {
	canonical := ""
	if tag != "" {
		var ok bool
		if canonical, ok = locale.Supported(tag); !ok {
			return nil, &tenants.InputError{Field: "locale", Problem: "is not a language Sesame speaks; use en, es or zh-CN, or leave it empty"}
		}
	}
	if err := s.scope(c).Users().SetLocale(ctx, c.userID(), canonical); err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}
