package flows

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// PasskeyOffer is what the hosted sign-in offers a user once signed in
// (tenants.PasskeyOffers): Upgrade, a conditional create the browser may
// answer by itself; Prompt, the "Create a passkey?" screen. Both are for
// a user who signed in without a passkey and holds none under the
// tenant's RP ID, where the tenant lets users create passkeys.
type PasskeyOffer struct {
	Upgrade bool `json:"upgrade"`
	Prompt  bool `json:"prompt"`
	// Hybrid words the prompt "Create a passkey on this device?": the
	// person signed in with a passkey of another device, by QR code
	// (OfferPasskeyHere).
	Hybrid bool `json:"hybrid,omitempty"`
}

// OfferPasskeyHere decides the offer after a passkey sign-in through
// another device (a hybrid, QR-code, sign-in: the assertion's attachment
// cross-platform, the passkey's transports hybrid): the prompt, worded
// for this device, where the tenant lets users create passkeys and shows
// the prompt, and the user's last "Not now" ran out at now (one
// statement, only then). A passkey sign-in on the device itself costs
// nothing here.
func OfferPasskeyHere(ctx context.Context, scope db.Scope, t *tenants.Tenant, userID uuid.UUID, now time.Time) (PasskeyOffer, error) {
	if !t.Settings.Passkeys.AllowRegistration || !t.Settings.PasskeyOffers.Prompt {
		return PasskeyOffer{}, nil
	}
	until, err := scope.PasskeyPrompts().HiddenUntil(ctx, userID)
	if err != nil {
		return PasskeyOffer{}, err
	}
	return PasskeyOffer{Prompt: !now.Before(until), Hybrid: !now.Before(until)}, nil
}

// Hybrid reports whether an assertion (the credential JSON the browser
// returned) came from another device by the hybrid transport: its
// authenticatorAttachment is "cross-platform" and the passkey's transports
// (stored at registration, comma-separated, or the ones the assertion
// reports) include "hybrid".
func Hybrid(credential []byte, stored string) bool {
	var c struct {
		Attachment string `json:"authenticatorAttachment"`
		Response   struct {
			Transports []string `json:"transports"`
		} `json:"response"`
	}
	if json.Unmarshal(credential, &c) != nil || c.Attachment != "cross-platform" {
		return false
	}
	return slices.Contains(strings.Split(stored, ","), "hybrid") || slices.Contains(c.Response.Transports, "hybrid")
}

// OfferPasskey decides the offer after a sign-in whose session has the
// methods amr, for a user holding passkeys (ids under the RP ID). Prompt
// also needs the user's last "Not now" to have run out at now (one
// statement, only when the prompt is on).
func OfferPasskey(ctx context.Context, scope db.Scope, t *tenants.Tenant, userID uuid.UUID, amr string, passkeys int, now time.Time) (PasskeyOffer, error) {
	o := t.Settings.PasskeyOffers
	if !MayOfferPasskey(t, amr) || passkeys > 0 {
		return PasskeyOffer{}, nil
	}
	offer := PasskeyOffer{Upgrade: o.Upgrade}
	if o.Prompt {
		until, err := scope.PasskeyPrompts().HiddenUntil(ctx, userID)
		if err != nil {
			return PasskeyOffer{}, err
		}
		offer.Prompt = !now.Before(until)
	}
	return offer, nil
}

// MayOfferPasskey reports whether a sign-in whose session has the methods
// amr may lead to an offer at all: the tenant offers one (upgrade or
// prompt), lets users create passkeys, and the person did not sign in
// with a passkey. It reads nothing, so the passkey sign-in pays nothing
// for the offers.
func MayOfferPasskey(t *tenants.Tenant, amr string) bool {
	o := t.Settings.PasskeyOffers
	return t.Settings.Passkeys.AllowRegistration && (o.Upgrade || o.Prompt) &&
		!slices.Contains(strings.Split(amr, ","), AMRWebAuthn)
}

// HidePasskeyPrompt records the user's "Not now": the prompt stays hidden
// for the tenant's interval from now. It returns when it may show again.
func HidePasskeyPrompt(ctx context.Context, scope db.Scope, t *tenants.Tenant, userID uuid.UUID, now time.Time) (time.Time, error) {
	until := now.Add(time.Duration(t.Settings.PasskeyOffers.PromptIntervalDays) * 24 * time.Hour)
	return until, scope.PasskeyPrompts().Hide(ctx, userID, until)
}
