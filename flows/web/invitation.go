package web

import (
	"context"
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// The invitation page of a tenant host (flows/team sends the link): the
// token travels in the URL's fragment, never to a server or a log; the
// page posts it once to /api/invitation, which spends it as the setup
// link it is (flows.UseSetupLink: unexpired, unused, one statement) and
// sets the session cookie; the page then creates the passkey through the
// add-passkey flow and opens the account page.
func (h *Handler) invitationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /invitation", h.WithTenant(h.invitationPage))
	mux.HandleFunc("POST /api/invitation", h.WithTenant(h.useInvitation))
}

func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	h.Pages.Invitation(w, r, console.InvitationView{Locale: h.Locale(w, r, t, "invitation"), TenantName: t.Name})
}

func (h *Handler) useInvitation(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := h.CheckPost(r, t, true); err != nil {
		h.Fail(w, r, err)
		return
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := server.DecodeJSON(w, r, &in, "token", "Send {\"token\": ...} as JSON."); err != nil {
		h.Fail(w, r, err)
		return
	}
	var issued *flows.IssuedSession
	err := h.DB.InTx(r.Context(), func(ctx context.Context, tx *db.Tx) error {
		var err error
		issued, err = flows.UseSetupLink(ctx, tx.ForTenant(t.ID), in.Token, server.RequestInfo(r), h.Clock.Now())
		return err
	})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"session": h.SessionResponse(w, r, issued)})
}
