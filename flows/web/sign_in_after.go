package web

import (
	"context"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// afterSignIn adds to the answer of the sign-in step that signed in what
// the page does next in the browser: the passkey offered to a user who
// signed in without one ("passkey_offer": flows.PasskeyOffer), or after a
// passkey sign-in through another device (QR code) a passkey on this one
// (flows.OfferPasskeyHere). It runs
// after the step's transaction, and reads only where an offer is possible
// (flows.MayOfferPasskey): a passkey sign-in costs no statement here. The
// Signal API's view of the user is not in the answer: the page asks the
// account API for it (me.passkeySignals) where the browser has the API.
// A failure here is logged and leaves the part out, since the person is
// signed in already.
func (h *Handler) afterSignIn(ctx context.Context, t *tenants.Tenant, res *flows.Result, out map[string]any) {
	if res.Session == nil {
		return
	}
	amr := res.Session.Session.AMR
	if hy, ok := res.Output.(interface{ ByHybrid() bool }); ok && hy.ByHybrid() {
		offer, err := flows.OfferPasskeyHere(ctx, h.DB.ForTenant(t.ID), t, res.Session.Session.UserID, h.Clock.Now())
		if err != nil {
			h.Logger.ErrorContext(ctx, "passkey offer after a hybrid sign-in", "tenant", t.Slug, "error", err)
			return
		}
		out["passkey_offer"] = offer
		return
	}
	if !flows.MayOfferPasskey(t, amr) {
		out["passkey_offer"] = flows.PasskeyOffer{}
		return
	}
	scope := h.DB.ForTenant(t.ID)
	userID := res.Session.Session.UserID
	creds, err := scope.Credentials().ByUser(ctx, userID, h.Passkeys.RelyingParty(t).ID)
	if err != nil {
		h.Logger.ErrorContext(ctx, "passkeys after sign-in", "tenant", t.Slug, "error", err)
		return
	}
	offer, err := flows.OfferPasskey(ctx, scope, t, userID, amr, len(creds), h.Clock.Now())
	if err != nil {
		h.Logger.ErrorContext(ctx, "passkey offer after sign-in", "tenant", t.Slug, "error", err)
		return
	}
	out["passkey_offer"] = offer
}
