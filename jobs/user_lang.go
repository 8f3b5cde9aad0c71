package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// messageLang is the language of a message to a user: the page's (lang,
// the language of the page the event came from), else the user's
// preferred language (db.User.Locale, set at sign-up and in the account
// center), else fallback (the tenant's default). A change made from the
// console or the API has no page language, so its message follows the
// user's choice rather than the administrator's page.
func messageLang(ctx context.Context, scope db.Scope, userID uuid.UUID, lang, fallback string) (string, error) {
	if lang != "" {
		return lang, nil
	}
	u, err := scope.Users().ByID(ctx, userID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return fallback, nil
	case err != nil:
		return "", fmt.Errorf("the user's language: %w", err)
	case u.Locale != "":
		return u.Locale, nil
	}
	return fallback, nil
}
