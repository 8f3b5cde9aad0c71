package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// The flow kinds as they appear in URLs.
const (
	kindSignIn     = "sign-in"
	kindSignUp     = "sign-up"
	kindAddPasskey = "add-passkey"
	kindRecovery   = "recovery"
)

// runner is what the flow API needs of an engine, whatever its context.
type runner interface {
	Run(ctx context.Context, t *tenants.Tenant, token, action string, input json.RawMessage, req flows.RequestInfo) (*flows.Result, error)
	Peek(ctx context.Context, t *tenants.Tenant, token string) (*flows.Peeked, error)
}

func (h *Handler) engine(kind string) (runner, bool) {
	switch kind {
	case kindSignIn:
		return h.signIn, true
	case kindSignUp:
		return h.signUp, true
	case kindAddPasskey:
		return h.addPasskey, true
	case kindRecovery:
		return h.recovery, true
	}
	return nil, false
}

// flowJSON is the flow part of a flow API response.
type flowJSON struct {
	Token   string      `json:"token,omitempty"`
	State   flows.State `json:"state"`
	Actions []string    `json:"actions"`
}

// startFlow serves POST /api/flows/{kind}: it creates a flow and returns
// its token, state and allowed actions. A body {"action": A, "input": {...}}
// also performs the first action A at once (one statement for a passkey
// begin).
func (h *Handler) startFlow(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := h.CheckPost(r, t, true); err != nil {
		h.Fail(w, r, err)
		return
	}
	body, err := server.ReadJSON(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var first struct {
		Action string          `json:"action"`
		Input  json.RawMessage `json:"input"`
	}
	if err := flows.DecodeInput(body, &first); err != nil {
		h.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	req := h.requestInfo(r)
	var res *flows.Result
	switch r.PathValue("kind") {
	case kindSignIn:
		if first.Action == signin.ActionFederationBegin {
			if ctx, err = h.prepareFederation(ctx, t, first.Input); err != nil {
				h.Fail(w, r, err)
				return
			}
		}
		if federationNeedsToken(ctx) {
			res, err = h.startBound(ctx, t, first.Input, req)
		} else {
			res, err = start(ctx, h.signIn, t, signin.Context{}, first.Action, first.Input, req)
		}
		if err == nil && first.Action == signin.ActionFederationBegin {
			h.bindFederation(w, res.Token)
		}
	case kindSignUp:
		res, err = start(ctx, h.signUp, t, signup.Context{}, first.Action, first.Input, req)
	case kindRecovery:
		res, err = start(ctx, h.recovery, t, recovery.Context{}, first.Action, first.Input, req)
	case kindAddPasskey:
		s, serr := h.Session(ctx, r, t)
		if serr != nil {
			h.Fail(w, r, serr)
			return
		}
		req.UserID, req.SessionID = &s.UserID, &s.ID
		res, err = start(ctx, h.addPasskey, t, addpasskey.Context{UserID: s.UserID}, first.Action, first.Input, req)
	default:
		h.Fail(w, r, errcode.ErrUnknownFlow)
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := map[string]any{"flow": flowJSON{Token: res.Token, State: res.State, Actions: res.Actions}}
	if res.Output != nil {
		out["result"] = res.Output
	}
	if res.Session != nil {
		// A first action can sign in (a sign-up with nothing to prove).
		out["session"] = h.SessionResponse(w, r, res.Session)
	}
	if res.Redirect != "" {
		out["redirect"] = res.Redirect
	}
	flows.WriteJSON(w, http.StatusCreated, out)
}

// start creates a flow, performing action first when one is given.
func start[C any](ctx context.Context, e *flows.Engine[C], t *tenants.Tenant, c C, action string, input json.RawMessage, req flows.RequestInfo) (*flows.Result, error) {
	if action == "" {
		return e.Start(ctx, t, c)
	}
	return e.Begin(ctx, t, c, action, input, req)
}

// runFlow serves POST /api/flows/{kind}/{action}: one step of the flow
// whose token is in the X-Sesame-Flow header.
func (h *Handler) runFlow(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := h.CheckPost(r, t, true); err != nil {
		h.Fail(w, r, err)
		return
	}
	kind := r.PathValue("kind")
	eng, ok := h.engine(kind)
	if !ok {
		h.Fail(w, r, errcode.ErrUnknownFlow)
		return
	}
	body, err := server.ReadJSON(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	req := h.requestInfo(r)
	if kind == kindAddPasskey {
		s, err := h.Session(r.Context(), r, t)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		req.UserID, req.SessionID = &s.UserID, &s.ID
	}
	if kind == kindSignUp {
		// The steps after the account exists belong to its user: pass the
		// session's user, when there is one, for the flow to check. Under a
		// mandatory MFA policy the account has no session until a factor
		// is bound; the flow token alone drives those steps, and the step
		// that binds the factor returns the session (set as the cookie
		// below).
		s, err := h.Session(r.Context(), r, t)
		switch {
		case err == nil:
			req.UserID = &s.UserID
		case !errors.Is(err, flows.ErrUnauthenticated):
			h.Fail(w, r, err)
			return
		}
	}
	ctx, action := r.Context(), r.PathValue("action")
	if kind == kindSignIn && action == signin.ActionFederationBegin {
		if ctx, err = h.prepareFederation(ctx, t, body); err != nil {
			h.Fail(w, r, err)
			return
		}
		if err = h.sealFederation(ctx, t, r.Header.Get(FlowHeader)); err != nil {
			h.Fail(w, r, errcode.ErrFlowNotFound)
			return
		}
	}
	res, err := eng.Run(ctx, t, r.Header.Get(FlowHeader), action, body, req)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if kind == kindSignIn && action == signin.ActionFederationBegin {
		h.bindFederation(w, r.Header.Get(FlowHeader))
	}
	out := map[string]any{
		"flow":   flowJSON{State: res.State, Actions: res.Actions},
		"result": res.Output,
	}
	if res.Session != nil {
		out["session"] = h.SessionResponse(w, r, res.Session)
	}
	if kind == kindSignIn {
		h.afterSignIn(r.Context(), t, res, out)
	}
	if res.Redirect != "" {
		// The application's request this sign-in answered: the browser
		// goes straight to the client (or to its consent page).
		out["redirect"] = res.Redirect
	}
	flows.WriteJSON(w, http.StatusOK, out)
}
