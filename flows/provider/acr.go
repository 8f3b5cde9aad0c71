package provider

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// PasskeyRequired reports whether the tenant's pending authorization
// request id (the hosted sign-in page's SignInParam) asks, by acr_values,
// for a phishing-resistant sign-in: the page then offers only the passkey.
// An unknown, expired or malformed id asks for nothing. /oidc/login
// enforces the demand whatever the page shows (authRequest.satisfiedBy).
func PasskeyRequired(ctx context.Context, scope db.Scope, id string, now time.Time) bool {
	rid, err := uuid.Parse(id)
	if err != nil {
		return false
	}
	row, err := scope.OIDCAuthRequests().Get(ctx, rid, now)
	if err != nil {
		return false
	}
	ar, err := newAuthRequest(row)
	return err == nil && slices.Contains(ar.doc.ACRValues, ACRPhishingResistant)
}
