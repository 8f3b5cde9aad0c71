package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// formPostMaxBytes bounds the provider's posted answer.
const formPostMaxBytes = 64 << 10

// federationFormPost serves POST /federation/{id}/callback, where a
// form_post connector's provider posts its answer (OAuth 2.0 Form Post
// Response Mode). The post comes across sites, so the SameSite=Lax cookie
// binding the flow to its browser is not sent: the state, the flow's
// token sealed for this tenant and connector (federation.SealFormPostState),
// names the flow, which must be waiting upstream on this connector with
// this state; the provider's error and the response's iss (RFC 9207) are
// checked. Nothing is written and nobody signed in here: the state is not
// used, the code not exchanged. The browser is sent on by a same-site GET
// to the callback, which carries the cookie and does the rest as for
// response_mode=query (the flow must be this browser's; the state is
// claimed before the code is exchanged, so the code is exchanged once
// however often the answer is posted). A refusal is a 4xx page.
func (h *Handler) federationFormPost(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ctx := r.Context()
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	c, err := federation.Get(ctx, h.DB.ForTenant(t.ID), id)
	if err != nil || c.Type != federation.TypeOIDC || !c.Settings.FormPost() {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, formPostMaxBytes)
	if err := r.ParseForm(); err != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	answer := r.PostForm
	state := answer.Get("state")
	token, err := federation.OpenFormPostState(h.KeyEncryptionKey, t.ID, c.ID, state)
	if err != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	fstate, fc, err := h.signIn.PeekContext(ctx, t, token)
	if err != nil || fstate != signin.Upstream || fc.Federation == nil || fc.Federation.ConnectorID != c.ID.String() || !fc.Federation.StateMatches(state) {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	if e := answer.Get("error"); e != "" {
		h.Logger.InfoContext(ctx, "federation refused upstream", "tenant", t.Slug, "connector", c.ID, "error", e)
		h.federationError(w, r, t, federation.ErrFailed)
		return
	}
	e, err := h.Upstream.Prepare(ctx, c, federation.CallbackURL(h.Tenants.Origin(t), c.ID))
	if err != nil {
		h.Logger.WarnContext(ctx, "federation discovery failed", "tenant", t.Slug, "connector", c.ID, "err", err)
		h.federationError(w, r, t, errcode.ErrProviderError)
		return
	}
	if err := e.CheckIssuer(answer); err != nil {
		h.Logger.InfoContext(ctx, "federation answer refused", "tenant", t.Slug, "connector", c.ID, "err", err)
		h.federationError(w, r, t, federation.ErrFailed)
		return
	}
	http.Redirect(w, r, federation.FormPostHop(c.ID, answer), http.StatusSeeOther)
}
