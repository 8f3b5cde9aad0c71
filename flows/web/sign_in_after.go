package web

import (
	"context"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// afterSignIn adds to the answer of the sign-in step that signed in what
// the page does next in the browser: the WebAuthn Signal API's view of the
// user ("passkeys": flows.PasskeySignals). It runs after the step's
// transaction; a failure here is logged and leaves the part out, since
// the person is signed in already.
func (h *Handler) afterSignIn(ctx context.Context, t *tenants.Tenant, res *flows.Result, out map[string]any) {
	if res.Session == nil {
		return
	}
	scope := h.DB.ForTenant(t.ID)
	userID := res.Session.Session.UserID
	signals, err := flows.LoadPasskeySignals(ctx, scope, h.Passkeys, t, userID)
	if err != nil {
		h.Logger.ErrorContext(ctx, "load passkey signals after sign-in", "tenant", t.Slug, "error", err)
		return
	}
	out["passkeys"] = signals
	offer, err := flows.OfferPasskey(ctx, scope, t, userID, res.Session.Session.AMR, len(signals.CredentialIDs), h.Clock.Now())
	if err != nil {
		h.Logger.ErrorContext(ctx, "passkey offer after sign-in", "tenant", t.Slug, "error", err)
		return
	}
	out["passkey_offer"] = offer
}
