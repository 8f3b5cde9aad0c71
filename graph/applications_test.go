package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/testdb"
)

// qApplication is every field of an application.
const qApplication = `id clientId name type redirectUris postLogoutRedirectUris scopes firstParty idTokenAlg
	lifetimes { accessTokenSeconds idTokenSeconds } secretSet previousSecretExpiresAt createdAt`

const createApplication = `mutation($in: CreateApplicationInput!) { createApplication(input: $in) { secret application { ` + qApplication + ` } } }`

// createApp creates an application through the API and returns its id,
// client id and secret.
func (e *apiEnv) createApp(t *testing.T, p *party, in map[string]any) (id, clientID, secret string) {
	t.Helper()
	d := e.ok(t, p, admin, createApplication, map[string]any{"in": in})
	id = path(d, "createApplication", "application", "id").(string)
	clientID = path(d, "createApplication", "application", "clientId").(string)
	secret, _ = path(d, "createApplication", "secret").(string)
	return id, clientID, secret
}

// clientCredentials asks the tenant's token endpoint for an access token
// with the client credentials grant and returns the HTTP status.
func (e *apiEnv) clientCredentials(t *testing.T, p *party, clientID, secret string) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	r := httptest.NewRequest(http.MethodPost, provider.TokenPath, strings.NewReader(form.Encode()))
	r.Host = p.host
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	w := httptest.NewRecorder()
	e.srv.App.Handler.ServeHTTP(w, r)
	if w.Code == http.StatusOK {
		var body struct {
			AccessToken string `json:"access_token"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		require.NotEmpty(t, body.AccessToken)
	}
	return w.Code
}

func TestApplications_EachTypeIsCreatedAndItsSecretIsShownOnceAndStoredHashed(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			ctx := context.Background()
			secrets := map[string]string{}
			for _, in := range []map[string]any{
				{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/callback"},
					"postLogoutRedirectUris": []string{"https://shop.example.com/"}, "firstParty": true, "idTokenAlg": "ES256",
					"lifetimes": map[string]any{"accessTokenSeconds": 300}},
				{"name": "Dashboard", "type": "SPA", "redirectUris": []string{"http://localhost:5173/callback"}},
				{"name": "Phone app", "type": "NATIVE", "redirectUris": []string{"com.example.app:/callback", "http://127.0.0.1/cb"}},
				{"name": "Nightly jobs", "type": "M2M", "scopes": []string{"reports"}},
			} {
				d := e.ok(t, p, admin, createApplication, map[string]any{"in": in})
				got := path(d, "createApplication", "application")
				typ := in["type"].(string)
				require.Equal(t, typ, path(got, "type"))
				require.Equal(t, in["name"], path(got, "name"))
				clientID := path(got, "clientId").(string)
				require.Len(t, clientID, 32)
				secret, hasSecret := path(d, "createApplication", "secret").(string)
				confidential := typ == "WEB" || typ == "M2M"
				require.Equal(t, confidential, hasSecret, typ)
				require.Equal(t, confidential, path(got, "secretSet"), typ)
				require.Nil(t, path(got, "previousSecretExpiresAt"))

				// Stored as its SHA-256 only.
				stored, err := e.scope(p).OIDCApps().ByClientID(ctx, clientID)
				require.NoError(t, err)
				if confidential {
					require.True(t, strings.HasPrefix(secret, "sesame_secret_"))
					require.Equal(t, apps.HashSecret(secret), stored.SecretHash)
					require.NotContains(t, string(stored.SecretHash), secret)
					secrets[clientID] = secret
				} else {
					require.Empty(t, stored.SecretHash)
				}
			}

			d := e.ok(t, p, admin, `{ applications { `+qApplication+` } }`, nil)
			list := path(d, "applications").([]any)
			require.Len(t, list, 4)
			shop := list[0]
			require.Equal(t, []any{"https://shop.example.com/callback"}, path(shop, "redirectUris"))
			require.Equal(t, []any{"https://shop.example.com/"}, path(shop, "postLogoutRedirectUris"))
			defaults := []any{}
			for _, sc := range apps.DefaultScopes {
				defaults = append(defaults, sc)
			}
			require.Equal(t, defaults, path(shop, "scopes"), "an application made without scopes may ask for the defaults")
			require.Equal(t, true, path(shop, "firstParty"))
			require.Equal(t, "ES256", path(shop, "idTokenAlg"))
			require.Equal(t, 300.0, path(shop, "lifetimes", "accessTokenSeconds"))
			require.Equal(t, 600.0, path(shop, "lifetimes", "idTokenSeconds"))
			require.Equal(t, "RS256", path(list[1], "idTokenAlg"))
			require.Equal(t, []any{"reports"}, path(list[3], "scopes"))
			require.Empty(t, path(list[3], "redirectUris"))
			one := e.ok(t, p, admin, `query($id: ID!) { application(id: $id) { `+qApplication+` } }`, map[string]any{"id": path(shop, "id")})
			require.Equal(t, shop, path(one, "application"))

			// The secret is never returned again: no field holds it.
			raw := fmt.Sprint(d, one)
			for _, s := range secrets {
				require.NotContains(t, raw, s)
			}
			a := e.post(t, p.host, admin, p, `{ applications { secret } }`, nil)
			require.Equal(t, "GRAPHQL_VALIDATION_FAILED", a.code())

			// Updated under the same rules; type and secret stay.
			d = e.ok(t, p, admin, `mutation($id: ID!, $in: UpdateApplicationInput!) { updateApplication(id: $id, input: $in) { `+qApplication+` } }`,
				map[string]any{"id": path(shop, "id"), "in": map[string]any{"name": "Shop (new)", "redirectUris": []string{"https://shop.example.com/cb2"}, "firstParty": false}})
			require.Equal(t, "Shop (new)", path(d, "updateApplication", "name"))
			require.Equal(t, []any{"https://shop.example.com/cb2"}, path(d, "updateApplication", "redirectUris"))
			require.Equal(t, false, path(d, "updateApplication", "firstParty"))
			require.Equal(t, "ES256", path(d, "updateApplication", "idTokenAlg"))
			require.Equal(t, true, path(d, "updateApplication", "secretSet"))
			stored, err := e.scope(p).OIDCApps().ByClientID(ctx, path(shop, "clientId").(string))
			require.NoError(t, err)
			require.Equal(t, "Shop (new)", stored.Name)
			require.Equal(t, apps.HashSecret(secrets[stored.ClientID]), stored.SecretHash)

			// The tenant's issuer and discovery document, as the provider serves them.
			d = e.ok(t, p, admin, `{ tenant { oidc { issuer discoveryUrl } } }`, nil)
			issuer := path(d, "tenant", "oidc", "issuer").(string)
			require.Equal(t, e.srv.URL("acme"), issuer)
			require.Equal(t, issuer+"/.well-known/openid-configuration", path(d, "tenant", "oidc", "discoveryUrl"))
			r := httptest.NewRequest(http.MethodGet, provider.DiscoveryPath, nil)
			r.Host = p.host
			w := httptest.NewRecorder()
			e.srv.App.Handler.ServeHTTP(w, r)
			require.Equal(t, http.StatusOK, w.Code)
			var disc struct {
				Issuer string `json:"issuer"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &disc))
			require.Equal(t, issuer, disc.Issuer)

			// Deleted: gone from the list, its client id refused.
			e.ok(t, p, admin, `mutation($id: ID!) { deleteApplication(id: $id) }`, map[string]any{"id": path(list[3], "id")})
			d = e.ok(t, p, admin, `{ applications { id } }`, nil)
			require.Len(t, path(d, "applications"), 3)
			m2mID := path(list[3], "clientId").(string)
			require.Equal(t, http.StatusUnauthorized, e.clientCredentials(t, p, m2mID, secrets[m2mID]))
			a = e.post(t, p.host, admin, p, `mutation($id: ID!) { deleteApplication(id: $id) }`, map[string]any{"id": path(list[3], "id")})
			require.Equal(t, "not_found", a.code())
		})
	}
}

func TestApplications_BadInputIsRefusedNamingTheFieldAndNothingIsStored(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			for _, c := range []struct {
				in      map[string]any
				field   string
				message string
			}{
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"http://shop.example.com/cb"}}, "redirectUris", "use https"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://*.example.com/cb"}}, "redirectUris", "no wildcards"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb#top"}}, "redirectUris", "fragment"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"/callback"}}, "redirectUris", "not an absolute URI"},
				{map[string]any{"name": "Shop", "type": "WEB"}, "redirectUris", "at least one redirect URI"},
				{map[string]any{"name": "Shop", "type": "SPA", "redirectUris": []string{"com.example.app:/cb"}}, "redirectUris", "must use https"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"},
					"postLogoutRedirectUris": []string{"http://evil.example/"}}, "postLogoutRedirectUris", "use https"},
				{map[string]any{"name": "Jobs", "type": "M2M", "redirectUris": []string{"https://jobs.example.com/cb"}}, "redirectUris", "no redirect URIs"},
				{map[string]any{"name": " ", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"}}, "name", "name"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"},
					"lifetimes": map[string]any{"accessTokenSeconds": 5}}, "lifetimes.accessTokenSeconds", "between"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"},
					"lifetimes": map[string]any{"idTokenSeconds": 0}}, "lifetimes.idTokenSeconds", "between"},
				{map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"}, "scopes": []string{"open id"}}, "scopes", "not a scope"},
			} {
				a := e.post(t, p.host, admin, p, createApplication, map[string]any{"in": c.in})
				require.Equal(t, "invalid_input", a.code(), "%v: %+v", c.in, a.errors)
				require.Equal(t, c.field, a.errors[0].Extensions["field"], "%v", c.in)
				require.Contains(t, a.errors[0].Message, c.message, "%v", c.in)
				require.Nil(t, a.data["createApplication"])
			}
			list, err := e.scope(p).OIDCApps().List(context.Background())
			require.NoError(t, err)
			require.Empty(t, list)

			// An update under the same rules leaves the application as it was.
			id, _, _ := e.createApp(t, p, map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"}})
			a := e.post(t, p.host, admin, p, `mutation($id: ID!) { updateApplication(id: $id, input: {redirectUris: ["http://shop.example.com/cb"]}) { id } }`,
				map[string]any{"id": id})
			require.Equal(t, "invalid_input", a.code())
			require.Equal(t, "redirectUris", a.errors[0].Extensions["field"])
			stored, err := e.scope(p).OIDCApps().ByID(context.Background(), uuid.MustParse(id))
			require.NoError(t, err)
			require.Equal(t, []string{"https://shop.example.com/cb"}, []string(stored.RedirectURIs))
		})
	}
}

func TestApplications_RotatedSecretKeepsThePreviousOneValidForTheOverlapAtTheTokenEndpoint(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			id, clientID, first := e.createApp(t, p, map[string]any{"name": "Jobs", "type": "M2M"})
			require.Equal(t, http.StatusOK, e.clientCredentials(t, p, clientID, first))
			require.Equal(t, http.StatusUnauthorized, e.clientCredentials(t, p, clientID, first+"x"))

			const rotate = `mutation($id: ID!) { rotateApplicationSecret(id: $id) { secret application { clientId secretSet previousSecretExpiresAt } } }`
			d := e.ok(t, p, admin, rotate, map[string]any{"id": id})
			second := path(d, "rotateApplicationSecret", "secret").(string)
			require.NotEqual(t, first, second)
			require.Equal(t, clientID, path(d, "rotateApplicationSecret", "application", "clientId"))
			until, err := time.Parse(time.RFC3339, path(d, "rotateApplicationSecret", "application", "previousSecretExpiresAt").(string))
			require.NoError(t, err)
			require.Equal(t, e.clock.Now().Add(apps.SecretOverlap).UTC(), until.UTC())
			stored, err := e.scope(p).OIDCApps().ByID(context.Background(), uuid.MustParse(id))
			require.NoError(t, err)
			require.Equal(t, apps.HashSecret(second), stored.SecretHash)
			require.Equal(t, apps.HashSecret(first), stored.PreviousSecretHash)

			// During the overlap both secrets work.
			require.Equal(t, http.StatusOK, e.clientCredentials(t, p, clientID, second))
			require.Equal(t, http.StatusOK, e.clientCredentials(t, p, clientID, first))
			e.clock.Advance(apps.SecretOverlap - time.Minute)
			require.Equal(t, http.StatusOK, e.clientCredentials(t, p, clientID, first))

			// After it only the new one.
			e.clock.Advance(2 * time.Minute)
			require.Equal(t, http.StatusUnauthorized, e.clientCredentials(t, p, clientID, first))
			require.Equal(t, http.StatusOK, e.clientCredentials(t, p, clientID, second))
			d = e.ok(t, p, admin, `query($id: ID!) { application(id: $id) { previousSecretExpiresAt } }`, map[string]any{"id": id})
			require.Nil(t, path(d, "application", "previousSecretExpiresAt"))

			// A public application has no secret to rotate.
			spa, _, _ := e.createApp(t, p, map[string]any{"name": "Dashboard", "type": "SPA", "redirectUris": []string{"https://app.example.com/cb"}})
			a := e.post(t, p.host, admin, p, rotate, map[string]any{"id": spa})
			require.Equal(t, "application_has_no_secret", a.code())
			require.Contains(t, a.errors[0].Message, "PKCE")
		})
	}
}

func TestApplications_AnotherTenantAndAnAccountCallerCannotSeeOrChangeThem(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p, q := e.acme, e.bravo
			id, clientID, secret := e.createApp(t, p, map[string]any{"name": "Jobs", "type": "M2M"})
			ids := map[string]any{"id": id}

			// Bravo's administrator, on bravo's host, naming acme's application.
			d := e.ok(t, q, admin, `{ applications { id } }`, nil)
			require.Empty(t, path(d, "applications"))
			d = e.ok(t, q, admin, `query($id: ID!) { application(id: $id) { id } }`, ids)
			require.Nil(t, d["application"])
			for _, m := range []string{
				`mutation($id: ID!) { updateApplication(id: $id, input: {name: "Mine"}) { id } }`,
				`mutation($id: ID!) { rotateApplicationSecret(id: $id) { secret } }`,
				`mutation($id: ID!) { deleteApplication(id: $id) }`,
			} {
				a := e.post(t, q.host, admin, q, m, ids)
				require.Equal(t, "not_found", a.code(), m)
			}
			// Acme's client id is unknown at bravo's token endpoint.
			require.Equal(t, http.StatusUnauthorized, e.clientCredentials(t, q, clientID, secret))

			// Acme's own signed-in user (an account caller) is refused every field.
			for _, m := range []string{
				`{ applications { id } }`,
				`query($id: ID!) { application(id: $id) { id } }`,
				`mutation { createApplication(input: {name: "Mine", type: M2M}) { secret } }`,
				`mutation($id: ID!) { updateApplication(id: $id, input: {name: "Mine"}) { id } }`,
				`mutation($id: ID!) { rotateApplicationSecret(id: $id) { secret } }`,
				`mutation($id: ID!) { deleteApplication(id: $id) }`,
				`{ tenant { oidc { issuer } } }`,
			} {
				for _, who := range []as{user, cookieUser} {
					a := e.post(t, p.host, who, p, m, ids)
					require.Equal(t, "forbidden", a.code(), "%s as %s", m, who)
				}
			}

			// Acme's application is as it was and still works.
			list, err := e.scope(p).OIDCApps().List(context.Background())
			require.NoError(t, err)
			require.Len(t, list, 1)
			require.Equal(t, "Jobs", list[0].Name)
			require.Equal(t, apps.HashSecret(secret), list[0].SecretHash)
			require.Equal(t, http.StatusOK, e.clientCredentials(t, p, clientID, secret))
		})
	}
}
