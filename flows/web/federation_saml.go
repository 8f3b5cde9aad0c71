package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// samlRoutes serves each saml connector's SP metadata and its assertion
// consumer service on the tenant host.
func (h *Handler) samlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /federation/{id}/saml/metadata", h.WithTenant(h.samlMetadata))
	mux.HandleFunc("POST /federation/{id}/saml/acs", h.WithTenant(h.samlACS))
	mux.HandleFunc("GET /federation/{id}/saml/resume", h.WithTenant(h.samlResume))
}

// samlConnector returns the tenant's saml connector named by the path, or
// nil when there is none.
func (h *Handler) samlConnector(ctx context.Context, r *http.Request, t *tenants.Tenant) (*federation.Connector, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return nil, nil
	}
	c, err := federation.Get(ctx, h.DB.ForTenant(t.ID), id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && c.Type != federation.TypeSAML) {
		return nil, nil
	}
	return c, err
}

// samlSP builds c's service provider under the tenant's origin, with the
// tenant's replay store.
// A connector whose sealed key does not open here answers
// connector_misconfigured, logged with the cause for the administrator.
func (h *Handler) samlSP(ctx context.Context, t *tenants.Tenant, c *federation.Connector) (*samlsp.SP, error) {
	sp, err := federation.SAMLSP(c, t.ID, h.Tenants.Origin(t), h.KeyEncryptionKey, h.DB.ForTenant(t.ID).SAMLReplay(h.Clock.Now), h.Clock.Now)
	if errors.Is(err, errcode.ErrConnectorMisconfigured) {
		h.Logger.ErrorContext(ctx, "saml connector unusable: create it again with this server's key-encryption key", "tenant", t.Slug, "connector", c.ID, "err", err)
	}
	return sp, err
}

// samlMetadata serves GET /federation/{id}/saml/metadata: the SP metadata
// to give the IdP (its URL is also the SP's entity ID).
func (h *Handler) samlMetadata(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	c, err := h.samlConnector(r.Context(), r, t)
	if err != nil || c == nil {
		if err != nil {
			h.Logger.ErrorContext(r.Context(), "saml metadata", "tenant", t.Slug, "err", err)
		}
		h.notFound(w, r)
		return
	}
	sp, err := h.samlSP(r.Context(), t, c)
	var b []byte
	if err == nil {
		b, err = sp.Metadata()
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(b)
}

// prepareSAML builds, before federation.begin's transaction, a saml
// connector's SP for the step; the door sets the relay state (the flow's
// token sealed, federation.SealRelayState) once it knows the token.
func (h *Handler) prepareSAML(ctx context.Context, t *tenants.Tenant, c *federation.Connector) (context.Context, error) {
	sp, err := h.samlSP(ctx, t, c)
	if err != nil {
		return ctx, err
	}
	ctx = federation.WithEndpoints(ctx, &federation.Endpoints{ConnectorID: c.ID.String(), Callback: federation.SAMLACSURL(h.Tenants.Origin(t), c.ID)})
	return federation.WithSAMLBegin(ctx, &federation.SAMLBegin{ConnectorID: c.ID, SP: sp}), nil
}

// federationNeedsToken reports whether the prepared federation.begin
// needs the flow's token sealed into what it sends upstream: a saml
// connector's relay state, a form_post connector's state.
func federationNeedsToken(ctx context.Context) bool {
	e := federation.EndpointsFrom(ctx)
	return federation.SAMLBeginFrom(ctx) != nil || (e != nil && e.FormPost)
}

// sealFederation seals the flow's token into the prepared
// federation.begin: the saml relay state, or the form_post state.
func (h *Handler) sealFederation(ctx context.Context, t *tenants.Tenant, token string) error {
	if b := federation.SAMLBeginFrom(ctx); b != nil {
		var err error
		b.RelayState, err = federation.SealRelayState(h.KeyEncryptionKey, t.ID, b.ConnectorID, token)
		return err
	}
	if e := federation.EndpointsFrom(ctx); e != nil && e.FormPost {
		id, err := uuid.Parse(e.ConnectorID)
		if err != nil {
			return err
		}
		e.State, err = federation.SealFormPostState(h.KeyEncryptionKey, t.ID, id, token)
		return err
	}
	return nil
}

// startBound starts a sign-in flow whose first action is federation.begin
// on a connector that needs the flow's token (federationNeedsToken): the
// flow is made first, so that its token, sealed, goes upstream.
func (h *Handler) startBound(ctx context.Context, t *tenants.Tenant, input json.RawMessage, req flows.RequestInfo) (*flows.Result, error) {
	first, err := h.signIn.Start(ctx, t, signin.Context{})
	if err != nil {
		return nil, err
	}
	if err := h.sealFederation(ctx, t, first.Token); err != nil {
		return nil, err
	}
	res, err := h.signIn.Run(ctx, t, first.Token, signin.ActionFederationBegin, input, req)
	if err != nil {
		return nil, err
	}
	res.Token = first.Token
	return res, nil
}

// samlACS serves POST /federation/{id}/saml/acs, where the IdP posts its
// answer (HTTP-POST binding). The relay state, opened, names the flow; it must be
// waiting at this connector's IdP with no answer yet. The answer is
// checked (samlsp.Finish: signature, issuer, audience, recipient, time,
// InResponseTo among the flow's request IDs, replay) outside any
// transaction; federation.assert then records who it names on the flow,
// once. Nobody is signed in here: the IdP's post comes across sites, so
// the SameSite=Lax cookie binding the flow to its browser is not sent.
// The browser is sent on to samlResume by a same-site GET, which carries
// it. A refusal is a 4xx page that writes nothing.
func (h *Handler) samlACS(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ctx := r.Context()
	c, err := h.samlConnector(ctx, r, t)
	if err != nil {
		h.federationError(w, r, t, err)
		return
	}
	sealed, rerr := samlsp.RelayState(r)
	if c == nil || rerr != nil || sealed == "" {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	relay, rerr := federation.OpenRelayState(h.KeyEncryptionKey, t.ID, c.ID, sealed)
	if rerr != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	state, fc, err := h.signIn.PeekContext(ctx, t, relay)
	if err != nil || state != signin.Upstream || fc.Federation == nil || fc.Federation.ConnectorID != c.ID.String() || fc.Federation.RequestID == "" || fc.Federation.Asserted != nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	sp, err := h.samlSP(r.Context(), t, c)
	if err != nil {
		h.federationError(w, r, t, err)
		return
	}
	a, err := sp.Finish(r, []string{fc.Federation.RequestID})
	if err != nil {
		h.Logger.InfoContext(ctx, "saml answer refused", "tenant", t.Slug, "connector", c.ID, "err", err)
		h.federationError(w, r, t, err)
		return
	}
	identity, err := federation.SAMLIdentity(a)
	if err != nil {
		h.federationError(w, r, t, err)
		return
	}
	ctx = federation.WithAnswer(ctx, &federation.Answer{ConnectorID: c.ID, State: fc.Federation.RequestID, Identity: identity})
	if _, err := h.signIn.Run(ctx, t, relay, signin.ActionFederationAssert, nil, server.RequestInfo(r)); err != nil {
		h.federationError(w, r, t, err)
		return
	}
	http.Redirect(w, r, "/federation/"+c.ID.String()+"/saml/resume", http.StatusSeeOther)
}

// samlResume serves GET /federation/{id}/saml/resume, the same-site hop
// after the ACS: the flow is the one this browser began (the cookie), at
// this connector, with an assertion the ACS recorded; only then does
// federation.finish sign in with it, once (the step clears it in the
// flow's transaction). A browser that did not begin the flow, a flow with
// no assertion and a second resume get a 4xx page; nothing is written.
func (h *Handler) samlResume(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ctx := r.Context()
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
	if err != nil || state != signin.Upstream || fc.Federation == nil || fc.Federation.ConnectorID != id.String() || fc.Federation.RequestID == "" || fc.Federation.Asserted == nil {
		h.federationError(w, r, t, federation.ErrState)
		return
	}
	req := server.RequestInfo(r)
	req.Device = h.deviceCookie(r)
	req.AuthRequest = provider.SignInRequest(r, h.Tenants.Scheme(), fc.Federation.AuthRequest)
	ctx = federation.WithAnswer(ctx, &federation.Answer{ConnectorID: id, State: fc.Federation.RequestID, Identity: fc.Federation.Asserted})
	res, err := h.signIn.Run(ctx, t, token, signin.ActionFederationFinish, nil, req)
	if err != nil {
		if _, ok := errcode.Public(err); !ok {
			h.Logger.ErrorContext(ctx, "saml sign-in failed", "tenant", t.Slug, "connector", id, "err", err)
		}
		h.federationError(w, r, t, err)
		return
	}
	h.clearFederationCookie(w)
	h.federationDone(w, r, res, fc.Federation.AuthRequest)
}
