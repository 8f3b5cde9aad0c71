package web

import (
	"net/http"
	"time"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// peekJSON is the answer of GET /api/flows/{kind}.
type peekJSON struct {
	State     flows.State `json:"state"`
	Actions   []string    `json:"actions"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// peekFlow serves GET /api/flows/{kind}: where the flow whose token is in
// the X-Sesame-Flow header stands (flows.Engine.Peek), read-only, so that
// a hosted page reloaded mid-flow resumes on the same screen. It answers
// flow_not_found for an expired or unknown flow, which the page turns into
// "Start again". An add-passkey flow belongs to a session: without one
// there is nothing to read.
func (h *Handler) peekFlow(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	kind := r.PathValue("kind")
	eng, ok := h.engine(kind)
	if !ok {
		h.Fail(w, r, errcode.ErrUnknownFlow)
		return
	}
	if kind == kindAddPasskey {
		if _, err := h.Session(r.Context(), r, t); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	p, err := eng.Peek(r.Context(), t, r.Header.Get(FlowHeader))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	// What a flow allows changes with every step: never from a cache.
	w.Header().Set("Cache-Control", "no-store")
	flows.WriteJSON(w, http.StatusOK, map[string]any{
		"flow": peekJSON{State: p.State, Actions: p.Actions, ExpiresAt: p.ExpiresAt},
	})
}
