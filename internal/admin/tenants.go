package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// managed returns the tenants the administrator manages, by slug, with
// their role in each: a platform owner every tenant but the admin tenant
// (role owner or admin where they have a membership, platform_owner
// elsewhere), a member the tenants of their memberships.
func (a *Handler) managed(ctx context.Context, adminTenant *tenants.Tenant, ad *administrator) ([]consoleTenant, error) {
	ms, err := a.DB.ForTenant(adminTenant.ID).Memberships().Of(ctx, ad.session.UserID)
	if err != nil {
		return nil, err
	}
	out := []consoleTenant{}
	if !ad.owner() {
		for _, m := range ms {
			out = append(out, consoleTenant{Slug: m.Tenant.Slug, Name: m.Tenant.Name, Host: m.Tenant.Slug + "." + a.Tenants.BaseDomain(),
				URL: a.Tenants.Scheme() + "://" + m.Tenant.Slug + "." + a.Tenants.BaseDomain() + "/", Role: m.Role, id: m.TenantID})
		}
		return out, nil
	}
	roles := map[uuid.UUID]string{}
	for _, m := range ms {
		roles[m.TenantID] = m.Role
	}
	all, err := a.Tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.IsAdmin() {
			continue
		}
		role, ok := roles[t.ID]
		if !ok {
			role = db.PlatformRoleOwner
		}
		v := a.view(t, role)
		out = append(out, v)
	}
	return out, nil
}

// consoleTenant is a tenant as the console lists it.
type consoleTenant struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Host string `json:"host"`
	// URL is the tenant's hosted sign-in page.
	URL  string `json:"url"`
	Role string `json:"role"`
	id   uuid.UUID
}

func (a *Handler) view(t *tenants.Tenant, role string) consoleTenant {
	return consoleTenant{Slug: t.Slug, Name: t.Name, Host: a.Tenants.Host(t), URL: a.Tenants.Origin(t) + "/", Role: role, id: t.ID}
}

func (a *Handler) listTenants(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	ad, err := a.checkAPI(r, t)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	out, err := a.managed(r.Context(), t, ad)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out, "platform_role": ad.role, "can_create_tenants": ad.owner()})
}

// createTenant creates a tenant, owned by its creator; only a platform
// owner may.
func (a *Handler) createTenant(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) {
	ad, err := a.checkAPI(r, adminTenant)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if !ad.owner() {
		a.Fail(w, r, flows.ErrConsoleRoleForbidden)
		return
	}
	var in struct {
		Slug string `json:"slug"`
		Name string `json:"name"`
	}
	if err := server.DecodeJSON(w, r, &in, "", "Send {\"slug\": ..., \"name\": ...} as JSON."); err != nil {
		a.Fail(w, r, err)
		return
	}
	t, err := a.Tenants.Create(r.Context(), in.Slug, in.Name)
	var ie *tenants.InputError
	switch {
	case errors.As(err, &ie):
		a.Fail(w, r, flows.ErrInvalidInput.WithField(ie.Field, ie.Field+" "+ie.Problem))
		return
	case errors.Is(err, tenants.ErrSlugTaken):
		a.Fail(w, r, flows.ErrInvalidInput.WithField("slug", "This slug is taken. Choose another one."))
		return
	case err != nil:
		a.Fail(w, r, err)
		return
	}
	if err := a.DB.ForTenant(adminTenant.ID).Memberships().Add(r.Context(), ad.session.UserID, t.ID, db.RoleOwner, a.Clock.Now()); err != nil {
		a.Fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, map[string]any{"tenant": a.view(t, db.RoleOwner)})
}

// errNotManaged answers for a tenant the administrator does not manage, and
// for one that does not exist: the two look the same.
var errNotManaged = errcode.ErrNotFound

// tenantGraphQL serves a tenant's management API to an administrator who
// manages it (a platform owner any tenant, a member those of their
// memberships), with their role in it: a viewer reads only.
func (a *Handler) tenantGraphQL(w http.ResponseWriter, r *http.Request, adminTenant *tenants.Tenant) {
	ad, err := a.checkAPI(r, adminTenant)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	t, acc, err := a.access(r.Context(), adminTenant, ad, r.PathValue("slug"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.GraphQL.ServeConsole(w, r.WithContext(tenants.WithTenant(r.Context(), t)), t, ad.session.UserID, acc.Role)
}
