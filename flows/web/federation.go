package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// federationCookie binds a sign-in waiting upstream to the browser that
// started it: it holds the flow's token, so the callback resumes that
// flow and no other. SameSite=Lax: the provider sends the browser back
// by a top-level GET from its own site.
const federationCookie = "sesame_federation"

// prepareFederation fetches, before federation.begin's transaction, the
// named connector's endpoints (discovery) and passes them to the step.
// A connector that does not exist is left to the step to refuse.
func (h *Handler) prepareFederation(ctx context.Context, t *tenants.Tenant, input json.RawMessage) (context.Context, error) {
	var in struct {
		Connector string `json:"connector"`
	}
	if json.Unmarshal(input, &in) != nil {
		return ctx, nil
	}
	id, err := uuid.Parse(in.Connector)
	if err != nil {
		return ctx, nil
	}
	c, err := federation.Get(ctx, h.DB.ForTenant(t.ID), id)
	if errors.Is(err, db.ErrNotFound) {
		return ctx, nil
	}
	if err != nil {
		return ctx, err
	}
	if c.Type == federation.TypeSAML {
		return h.prepareSAML(ctx, t, c)
	}
	e, err := h.Upstream.Prepare(ctx, c, federation.CallbackURL(h.Tenants.Origin(t), c.ID))
	if err != nil {
		h.Logger.WarnContext(ctx, "federation discovery failed", "tenant", t.Slug, "connector", c.ID, "err", err)
		return ctx, errcode.ErrProviderError
	}
	return federation.WithEndpoints(ctx, e), nil
}

// bindFederation sets the cookie that binds the flow waiting upstream to
// this browser.
func (h *Handler) bindFederation(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: federationCookie, Value: token, Path: "/federation/", MaxAge: 30 * 60,
		HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// federationCallback serves GET /federation/{id}/callback, where a
// connector's provider sends the browser back. The flow is the one this
// browser started (the cookie), waiting upstream on this connector with
// this state. The state is then claimed (federation.claim, in the flow's
// transaction): of any number of callbacks with it, only the one that
// claimed it exchanges the code and checks the answer (outside any
// transaction), and runs federation.finish with it; the others get the
// federation_state page without reaching the provider, whose code is so
// redeemed once. A refusal before the claim is a 4xx page that writes
// nothing; a failed exchange after it leaves the flow to start again.
func (h *Handler) federationCallback(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ctx := r.Context()
	q := r.URL.Query()
	var token string
	if ck, err := r.Cookie(federationCookie); err == nil {
		token = ck.Value
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if token == "" || err != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	state, fc, err := h.signIn.PeekContext(ctx, t, token)
	if err != nil || state != signin.Upstream || fc.Federation == nil || fc.Federation.ConnectorID != id.String() || !fc.Federation.StateMatches(q.Get("state")) {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	if e := q.Get("error"); e != "" {
		h.Logger.InfoContext(ctx, "federation refused upstream", "tenant", t.Slug, "connector", id, "error", e)
		h.federationError(w, r, t, federation.ErrFailed)
		return
	}
	scope := h.DB.ForTenant(t.ID)
	c, err := federation.Get(ctx, scope, id)
	if err != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	e, err := h.Upstream.Prepare(ctx, c, federation.CallbackURL(h.Tenants.Origin(t), c.ID))
	if err != nil {
		h.Logger.WarnContext(ctx, "federation discovery failed", "tenant", t.Slug, "connector", c.ID, "err", err)
		h.federationError(w, r, t, errcode.ErrProviderError)
		return
	}
	if err := e.CheckIssuer(q); err != nil {
		// Before the claim: a mixed-up answer uses no state.
		h.Logger.InfoContext(ctx, "federation answer refused", "tenant", t.Slug, "connector", c.ID, "err", err)
		h.federationError(w, r, t, federation.ErrFailed)
		return
	}
	req := server.RequestInfo(r)
	req.Device = h.deviceCookie(r)
	req.AuthRequest = provider.SignInRequest(r, h.Tenants.Scheme(), fc.Federation.AuthRequest)
	claim := federation.WithAnswer(ctx, &federation.Answer{ConnectorID: c.ID, State: q.Get("state")})
	if _, err := h.signIn.Run(claim, t, token, signin.ActionFederationClaim, nil, req); err != nil {
		h.federationError(w, r, t, claimRefused(err))
		return
	}
	identity, err := h.Upstream.Exchange(ctx, c, e, q, fc.Federation)
	if err != nil {
		h.Logger.InfoContext(ctx, "federation answer refused", "tenant", t.Slug, "connector", c.ID, "err", err)
		h.federationError(w, r, t, federation.ErrFailed)
		return
	}
	ctx = federation.WithAnswer(ctx, &federation.Answer{ConnectorID: c.ID, State: q.Get("state"), Identity: identity})
	res, err := h.signIn.Run(ctx, t, token, signin.ActionFederationFinish, nil, req)
	if err != nil {
		h.federationError(w, r, t, err)
		return
	}
	h.clearFederationCookie(w)
	h.federationDone(w, r, res, fc.Federation.AuthRequest)
}

// claimRefused is the page for a claim that lost: the flow moved on (an
// earlier callback claimed its state, or it ended) is federation_state,
// as for a state already used; any other error passes unchanged.
func claimRefused(err error) error {
	if errors.Is(err, flows.ErrActionNotAllowed) || errors.Is(err, flows.ErrFlowChanged) || errors.Is(err, flows.ErrFlowNotFound) {
		return federation.ErrState
	}
	return err
}

// federationDone sends the browser on: signed in, to the application's
// redirect or the account page; otherwise back to the sign-in page, with
// the step's answer in the fragment (never sent to a server) for the page
// to go on from (the second factor, or the account to prove).
func (h *Handler) federationDone(w http.ResponseWriter, r *http.Request, res *flows.Result, authRequest string) {
	if res.Session != nil {
		h.setSessionCookie(w, r, res.Session)
		to := res.Redirect
		switch {
		case to != "":
		case authRequest != "":
			to = "/oidc/login?" + url.Values{"id": {authRequest}}.Encode()
		default:
			to = "/account"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	page := "/"
	if authRequest != "" {
		page += "?" + url.Values{provider.SignInParam: {authRequest}}.Encode()
	}
	raw, _ := json.Marshal(map[string]any{"flow": flowJSON{State: res.State, Actions: res.Actions}, "result": res.Output})
	http.Redirect(w, r, page+"#federation="+url.QueryEscape(string(raw)), http.StatusSeeOther)
}

func (h *Handler) clearFederationCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: federationCookie, Value: "", Path: "/federation/", MaxAge: -1, HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode})
}

// federationError shows the refusal on a page of its own, with the
// catalogue's status (a 4xx for anything the browser brought) and a link
// back to the sign-in page.
func (h *Handler) federationError(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, err error) {
	pe, ok := errcode.Public(err)
	if !ok {
		h.Logger.ErrorContext(r.Context(), "federation callback failed", "tenant", t.Slug, "err", err)
	}
	loc := h.Locale(w, r, t, "sign_in")
	h.Pages.FederationError(w, r, console.FederationErrorView{Locale: loc, TenantName: t.Name, Code: pe.Code, Status: pe.Status})
}

// connectorViews are the tenant's social connectors as the sign-in and
// sign-up pages show them; none when they cannot be read (logged).
func (h *Handler) connectorViews(ctx context.Context, t *tenants.Tenant) []console.ConnectorView {
	list, err := federation.Social(ctx, h.DB.ForTenant(t.ID))
	if err != nil {
		h.Logger.ErrorContext(ctx, "list connectors", "tenant", t.Slug, "err", err)
		return nil
	}
	out := make([]console.ConnectorView, 0, len(list))
	for _, c := range list {
		out = append(out, console.ConnectorView{ID: c.ID.String(), Name: c.Name})
	}
	return out
}
