package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/team"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// The team routes: a tenant's administrators and their roles. The rules
// (who may, the last owner) are flows/team's; these translate only.
//
//	GET    /console/api/tenants/{slug}/team               the team and the caller's role
//	POST   /console/api/tenants/{slug}/team               invite an administrator ({email, name, role})
//	POST   /console/api/tenants/{slug}/team/{user}/role   change a role ({role})
//	DELETE /console/api/tenants/{slug}/team/{user}        remove an administrator
func (a *Handler) teamRoutes(mux *http.ServeMux) {
	tenant := a.WithTenant
	mux.HandleFunc("GET /console/api/tenants/{slug}/team", tenant(a.listTeam))
	mux.HandleFunc("POST /console/api/tenants/{slug}/team", tenant(a.inviteAdmin))
	mux.HandleFunc("POST /console/api/tenants/{slug}/team/{user}/role", tenant(a.setTeamRole))
	mux.HandleFunc("DELETE /console/api/tenants/{slug}/team/{user}", tenant(a.removeTeamMember))
}

// access is what the administrator may do in t: a platform owner
// everything, a member what their membership's role allows; errNotManaged
// for a tenant they do not manage (or that does not exist, or the admin
// tenant).
func (a *Handler) access(ctx context.Context, adminTenant *tenants.Tenant, ad *administrator, slug string) (*tenants.Tenant, team.Access, error) {
	t, err := a.Tenants.BySlug(ctx, slug)
	if errors.Is(err, db.ErrNotFound) || (err == nil && t.IsAdmin()) {
		return nil, team.Access{}, errNotManaged
	}
	if err != nil {
		return nil, team.Access{}, err
	}
	if ad.owner() {
		return t, team.Access{Role: db.PlatformRoleOwner, By: ad.session.UserID}, nil
	}
	role, err := a.DB.ForTenant(adminTenant.ID).Memberships().Role(ctx, ad.session.UserID, t.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, team.Access{}, errNotManaged
	}
	if err != nil {
		return nil, team.Access{}, err
	}
	return t, team.Access{Role: role, By: ad.session.UserID}, nil
}

// teamRequest checks a team route's request and finds the tenant and the
// caller's access; on failure it has answered and ok is false.
func (a *Handler) teamRequest(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) (*tenants.Tenant, team.Access, bool) {
	ad, err := a.checkAPI(r, adminTenant)
	if err == nil {
		var t *tenants.Tenant
		var acc team.Access
		if t, acc, err = a.access(r.Context(), adminTenant, ad, r.PathValue("slug")); err == nil {
			return t, acc, true
		}
	}
	a.Fail(w, r, err)
	return nil, team.Access{}, false
}

type teamMember struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Role    string `json:"role"`
	Pending bool   `json:"pending"`
}

func memberView(m *db.TeamMember) teamMember {
	return teamMember{UserID: m.UserID.String(), Name: m.DisplayName, Email: m.Email, Role: m.Role, Pending: m.Passkeys == 0}
}

func (a *Handler) listTeam(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) {
	t, acc, ok := a.teamRequest(w, r, adminTenant)
	if !ok {
		return
	}
	ms, err := a.Team.Team(r.Context(), t)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	out := make([]teamMember, len(ms))
	for i, m := range ms {
		out[i] = memberView(m)
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"members": out, "role": acc.Role,
		"can_change": acc.CanChange(), "manages_team": acc.ManagesTeam()})
}

func (a *Handler) inviteAdmin(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) {
	t, acc, ok := a.teamRequest(w, r, adminTenant)
	if !ok {
		return
	}
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	if err := server.DecodeJSON(w, r, &in, "", "Send {\"email\": ..., \"name\": ..., \"role\": ...} as JSON."); err != nil {
		a.Fail(w, r, err)
		return
	}
	m, err := a.Team.InviteAdmin(r.Context(), acc, t, in.Email, in.Name, in.Role)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, map[string]any{"member": memberView(m)})
}

// teamUser is the {user} of a team route; a malformed id is not_found.
func teamUser(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("user"))
	if err != nil {
		return uuid.Nil, errNotManaged
	}
	return id, nil
}

func (a *Handler) setTeamRole(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) {
	t, acc, ok := a.teamRequest(w, r, adminTenant)
	if !ok {
		return
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := server.DecodeJSON(w, r, &in, "role", "Send {\"role\": ...} as JSON."); err != nil {
		a.Fail(w, r, err)
		return
	}
	id, err := teamUser(r)
	if err == nil {
		err = a.Team.SetRole(r.Context(), acc, t, id, in.Role)
	}
	if err != nil {
		a.Fail(w, r, notFoundAsPublic(err))
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (a *Handler) removeTeamMember(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) {
	t, acc, ok := a.teamRequest(w, r, adminTenant)
	if !ok {
		return
	}
	id, err := teamUser(r)
	if err == nil {
		err = a.Team.Remove(r.Context(), acc, t, id)
	}
	if err != nil {
		a.Fail(w, r, notFoundAsPublic(err))
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// notFoundAsPublic answers a membership that does not exist as not_found.
func notFoundAsPublic(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return errcode.ErrNotFound
	}
	return err
}
