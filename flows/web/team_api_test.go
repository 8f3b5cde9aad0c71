package web_test

import (
	"context"
	"encoding/json"

	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

var consoleCSRF = map[string]string{"X-Sesame-Request": "1"}

// teamAdmin is a member administrator with role in tenant tn, signed in on
// the admin host.
func teamAdmin(t *testing.T, srv *testserver.Server, email, role string, tn *tenants.Tenant) (*apiClient, *db.User) {
	t.Helper()
	u, token := newAdministratorAs(t, srv, email, db.PlatformRoleMember)
	admin, err := srv.Tenants.EnsureAdmin(context.Background())
	require.NoError(t, err)
	require.NoError(t, srv.DB.ForTenant(admin.ID).Memberships().Add(context.Background(), u.ID, tn.ID, role, time.Now()))
	c := newAPIClient(t, srv, tenants.AdminSlug)
	require.Equal(t, http.StatusOK, c.post("/api/setup", map[string]string{"token": token}, nil).status)
	return c, u
}

// gqlCode runs a GraphQL operation through the console and returns the
// first error's code ("" without errors).
func gqlCode(t *testing.T, c *apiClient, slug, query string) string {
	t.Helper()
	r := c.post("/console/tenants/"+slug+"/graphql", map[string]any{"query": query}, consoleCSRF)
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	if len(out.Errors) == 0 {
		return ""
	}
	code, _ := out.Errors[0].Extensions["code"].(string)
	return code
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type schemaType struct {
	Name        string                  `json:"name"`
	Kind        string                  `json:"kind"`
	EnumValues  []struct{ Name string } `json:"enumValues"`
	InputFields []struct {
		Name         string  `json:"name"`
		DefaultValue *string `json:"defaultValue"`
		Type         typeRef `json:"type"`
	} `json:"inputFields"`
}

const introspectMutations = `{ __schema {
  mutationType { fields { name type { ...T } args { name type { ...T } } } }
  types { name kind enumValues { name } inputFields { name defaultValue type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`

// literal writes a valid GraphQL literal of type ty: every required input
// field filled, so that a refusal is the role's, not the query's.
func literal(ty typeRef, types map[string]schemaType) string {
	switch ty.Kind {
	case "NON_NULL":
		return literal(*ty.OfType, types)
	case "LIST":
		return "[" + literal(*ty.OfType, types) + "]"
	case "ENUM":
		return types[ty.Name].EnumValues[0].Name
	case "INPUT_OBJECT":
		var fields []string
		for _, f := range types[ty.Name].InputFields {
			if f.Type.Kind == "NON_NULL" && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+literal(f.Type, types))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch ty.Name {
	case "Int":
		return "1"
	case "Boolean":
		return "true"
	case "ID":
		return `"0190d5a0-0000-7000-8000-000000000000"`
	}
	return `"x@example.com"`
}

// everyMutation returns one call of each mutation of the schema, found by
// introspection, with valid arguments: a mutation added later is tried
// too.
func everyMutation(t *testing.T, c *apiClient, slug string) map[string]string {
	t.Helper()
	r := c.post("/console/tenants/"+slug+"/graphql", map[string]any{"query": introspectMutations}, consoleCSRF)
	var out struct {
		Data struct {
			Schema struct {
				MutationType struct {
					Fields []struct {
						Name string  `json:"name"`
						Type typeRef `json:"type"`
						Args []struct {
							Name string  `json:"name"`
							Type typeRef `json:"type"`
						} `json:"args"`
					} `json:"fields"`
				} `json:"mutationType"`
				Types []schemaType `json:"types"`
			} `json:"__schema"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	types := map[string]schemaType{}
	for _, ty := range out.Data.Schema.Types {
		types[ty.Name] = ty
	}
	calls := map[string]string{}
	for _, f := range out.Data.Schema.MutationType.Fields {
		var args []string
		for _, a := range f.Args {
			if a.Type.Kind == "NON_NULL" {
				args = append(args, a.Name+": "+literal(a.Type, types))
			}
		}
		call := f.Name
		if len(args) > 0 {
			call += "(" + strings.Join(args, ", ") + ")"
		}
		ret := f.Type
		for ret.OfType != nil {
			ret = *ret.OfType
		}
		if ret.Kind == "OBJECT" {
			call += " { __typename }"
		}
		calls[f.Name] = "mutation { " + call + " }"
	}
	require.Greater(t, len(calls), 15, "the schema's mutations")
	return calls
}

// managementMutations are the management API's mutation classes (settings,
// users, API keys, applications, grants, messages, invitations): each
// must be refused to a viewer with read_only_role.
var managementMutations = []string{"updateSettings", "createUser", "setUserDisabled", "deleteUser", "resetUserMFA",
	"removeUserPasskey", "revokeUserSession", "sendTestMessage", "createAPIKey", "revokeAPIKey", "createApplication",
	"updateApplication", "deleteApplication", "rotateApplicationSecret", "revokeUserAppGrant", "inviteUser"}

// TestTeam_ViewerCannotChangeAnythingThroughTheAPI: a viewer reads the
// tenant but every mutation of the schema is refused (read_only_role for
// the management ones), and nothing changed; an admin's same mutation
// works.
func TestTeam_ViewerCannotChangeAnythingThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := testserver.Start(t, b, testserver.Options{Development: true})
			acme := srv.CreateTenant(t, "acme", "Acme")
			viewer, _ := teamAdmin(t, srv, "vera@example.com", db.RoleViewer, acme)
			admin, _ := teamAdmin(t, srv, "adam@example.com", db.RoleAdmin, acme)

			require.Equal(t, "", gqlCode(t, viewer, "acme", "{ tenant { name settingsVersion } apiKeys { id } }"), "a viewer reads")
			calls := everyMutation(t, viewer, "acme")
			for _, name := range managementMutations {
				require.Contains(t, calls, name)
			}
			for name, q := range calls {
				code := gqlCode(t, viewer, "acme", q)
				if contains(managementMutations, name) {
					require.Equal(t, "read_only_role", code, name)
				} else {
					require.Contains(t, []string{"read_only_role", "forbidden"}, code, name)
				}
			}
			// Nothing changed.
			tn, err := srv.Tenants.BySlug(ctx, "acme")
			require.NoError(t, err)
			require.Equal(t, acme.SettingsVersion, tn.SettingsVersion)
			keys, err := srv.DB.ForTenant(acme.ID).APIKeys().List(ctx)
			require.NoError(t, err)
			require.Empty(t, keys)
			users, _, err := srv.DB.ForTenant(acme.ID).Users().List(ctx, db.UserPage{Limit: 10})
			require.NoError(t, err)
			require.Empty(t, users)

			// The same mutation from an admin works.
			require.Equal(t, "", gqlCode(t, admin, "acme", calls["createAPIKey"]))

			// The team routes refuse a viewer too.
			r := viewer.post("/console/api/tenants/acme/team", map[string]string{"email": "x@example.com", "role": "owner"}, consoleCSRF)
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "read_only_role", r.errorCode(t))
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestTeam_OnlyOwnersManageRolesAndTheLastOwnerStays: an admin cannot
// invite administrators nor change or remove anyone; an owner can; the
// last owner can be neither demoted nor removed, also by a platform owner.
func TestTeam_OnlyOwnersManageRolesAndTheLastOwnerStays(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			acme := srv.CreateTenant(t, "acme", "Acme")
			owner, ownerUser := teamAdmin(t, srv, "olga@example.com", db.RoleOwner, acme)
			admin, adminUser := teamAdmin(t, srv, "adam@example.com", db.RoleAdmin, acme)
			team := "/console/api/tenants/acme/team"
			role := func(u *db.User) string { return team + "/" + u.ID.String() + "/role" }

			// An admin: no invitation, no role change, no removal.
			r := admin.post(team, map[string]string{"email": "new@example.com", "role": "viewer"}, consoleCSRF)
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "team_owners_only", r.errorCode(t))
			r = admin.post(role(adminUser), map[string]string{"role": "owner"}, consoleCSRF)
			require.Equal(t, "team_owners_only", r.errorCode(t), "an admin cannot promote themself")
			r = admin.post(role(ownerUser), map[string]string{"role": "viewer"}, consoleCSRF)
			require.Equal(t, "team_owners_only", r.errorCode(t))
			r = admin.do(http.MethodDelete, team+"/"+ownerUser.ID.String(), nil, consoleCSRF)
			require.Equal(t, "team_owners_only", r.errorCode(t))

			// The last owner stays, whoever asks.
			r = owner.post(role(ownerUser), map[string]string{"role": "admin"}, consoleCSRF)
			require.Equal(t, http.StatusConflict, r.status, string(r.body))
			require.Equal(t, "last_owner", r.errorCode(t))
			r = owner.do(http.MethodDelete, team+"/"+ownerUser.ID.String(), nil, consoleCSRF)
			require.Equal(t, "last_owner", r.errorCode(t))
			platform := signedInOwner(t, srv)
			r = platform.post(role(ownerUser), map[string]string{"role": "viewer"}, consoleCSRF)
			require.Equal(t, "last_owner", r.errorCode(t))

			// An owner invites, changes roles and removes.
			r = owner.post(team, map[string]string{"email": "Vic@Example.com", "name": "Vic", "role": "viewer"}, consoleCSRF)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			r = owner.post(team, map[string]string{"email": "vic@example.com", "role": "admin"}, consoleCSRF)
			require.Equal(t, "already_team_member", r.errorCode(t))
			r = owner.post(team, map[string]string{"email": "kim@example.com", "role": "king"}, consoleCSRF)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			r = owner.post(role(adminUser), map[string]string{"role": "owner"}, consoleCSRF)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			// Two owners now: one may step down.
			r = owner.post(role(ownerUser), map[string]string{"role": "viewer"}, consoleCSRF)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			r = admin.do(http.MethodDelete, team+"/"+adminUser.ID.String(), nil, consoleCSRF)
			require.Equal(t, "last_owner", r.errorCode(t))

			r = admin.do(http.MethodGet, team, nil, consoleCSRF)
			require.Equal(t, http.StatusOK, r.status)
			var list struct {
				Members []struct{ Email, Role string } `json:"members"`
			}
			require.NoError(t, json.Unmarshal(r.body, &list))
			got := map[string]string{}
			for _, m := range list.Members {
				got[m.Email] = m.Role
			}
			require.Equal(t, map[string]string{"adam@example.com": "owner", "olga@example.com": "viewer", "vic@example.com": "viewer"}, got)
			// The demoted owner is a viewer now: the API refuses their changes.
			require.Equal(t, "read_only_role", gqlCode(t, owner, "acme", `mutation { createAPIKey(name: "k") { secret } }`))

			// The tenant's audit log holds the three changes that happened,
			// by the owner, and none of the refused ones.
			events, _, err := srv.DB.ForTenant(acme.ID).Audit().List(context.Background(), db.AuditPage{Limit: 100, Types: []string{"team.invited", "team.role_changed", "team.removed"}})
			require.NoError(t, err)
			var kinds []string
			for _, ev := range events {
				kinds = append(kinds, ev.Type)
				require.Equal(t, "admin:"+ownerUser.ID.String(), ev.Actor)
			}
			require.Equal(t, []string{"team.role_changed", "team.role_changed", "team.invited"}, kinds, "newest first")
			require.Contains(t, events[0].Details, "viewer")
		})
	}
}
