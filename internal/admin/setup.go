package admin

import (
	"context"
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

func (a *Handler) setupPage(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	a.Pages.Setup(w, r, console.SetupView{TenantName: t.Name})
}

func (a *Handler) useSetupLink(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	if err := a.CheckPost(r, t, true); err != nil {
		a.Fail(w, r, err)
		return
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := server.DecodeJSON(w, r, &in, "token", "Send {\"token\": ...} as JSON."); err != nil {
		a.Fail(w, r, err)
		return
	}
	var issued *flows.IssuedSession
	err := a.DB.InTx(r.Context(), func(ctx context.Context, tx *db.Tx) error {
		var err error
		issued, err = flows.UseSetupLink(ctx, tx.ForTenant(t.ID), in.Token, server.RequestInfo(r), a.Clock.Now())
		return err
	})
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"session": a.SessionResponse(w, r, issued)})
}
