package provider_test

import (
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

const (
	connectedAppsQuery = `{ me { connectedApps { id application { id name clientId } scopes grantedAt updatedAt } } }`
	userGrantsQuery    = `query($id: ID!) { user(id: $id) { appGrants { application { id clientId } scopes } } }`
	revokeAccess       = `mutation($app: ID!) { revokeAppAccess(applicationId: $app) }`
	revokeUserGrant    = `mutation($user: ID!, $app: ID!) { revokeUserAppGrant(userId: $user, applicationId: $app) }`
)

// offlineTokens consents with offline_access and returns the tokens.
func (e *consentEnv) offlineTokens(t *testing.T, state string) *oauth2.Token {
	t.Helper()
	page, verifier := e.third.consentPage(e.br, state)
	code := e.br.allow(page, state)
	tok, err := e.third.conf.Exchange(e.third.ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)
	return tok
}

// refresh uses tok's refresh token (which rotates it).
func (e *consentEnv) refresh(tok *oauth2.Token) (*oauth2.Token, error) {
	expired := *tok
	expired.AccessToken, expired.Expiry = "", expired.Expiry.AddDate(-1, 0, 0)
	return e.third.conf.TokenSource(e.third.ctx, &expired).Token()
}

func TestGrants_RevokingAppAccessEndsItsTokensAndTheNextSignInAsksAgain(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newConsentEnv(t, b)
			e.srv.CreateTenant(t, "bravo", "Bravo")
			e.third.conf.Scopes = []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}
			tok := e.offlineTokens(t, "s1")
			session := sessionCookie(t, e.br).Value
			appID := e.third.created.App.ID.String()

			data, code := gql(t, e.srv, "acme", session, connectedAppsQuery, nil)
			require.Empty(t, code)
			apps := data["me"].(map[string]any)["connectedApps"].([]any)
			require.Len(t, apps, 1)
			grant := apps[0].(map[string]any)
			require.Equal(t, map[string]any{"id": appID, "name": "Photo Printer", "clientId": e.third.conf.ClientID}, grant["application"])
			require.Equal(t, []any{"openid", "email", "offline_access"}, grant["scopes"])
			require.NotEmpty(t, grant["grantedAt"])

			_, err := e.third.provider.UserInfo(e.third.ctx, oauth2.StaticTokenSource(tok))
			require.NoError(t, err)
			data, code = gql(t, e.srv, "acme", session, revokeAccess, map[string]any{"app": appID})
			require.Empty(t, code)
			require.Equal(t, true, data["revokeAppAccess"])

			_, err = e.refresh(tok)
			require.ErrorContains(t, err, "invalid_grant", "the refresh token is revoked")
			_, err = e.third.provider.UserInfo(e.third.ctx, oauth2.StaticTokenSource(tok))
			require.Error(t, err, "the access token is revoked")
			data, _ = gql(t, e.srv, "acme", session, connectedAppsQuery, nil)
			require.Empty(t, data["me"].(map[string]any)["connectedApps"])
			_, code = gql(t, e.srv, "acme", session, revokeAccess, map[string]any{"app": appID})
			require.Equal(t, "not_found", code, "nothing left to revoke")
			e.third.consentPage(e.br, "s2")
		})
	}
}

func TestGrants_AdminSeesAndRevokesAUsersGrantsOfItsTenantOnly(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newConsentEnv(t, b)
			e.srv.CreateTenant(t, "bravo", "Bravo")
			e.third.conf.Scopes = []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}
			tok := e.offlineTokens(t, "s1")
			tn, err := e.srv.Tenants.BySlug(t.Context(), "acme")
			require.NoError(t, err)
			ana, err := e.srv.DB.ForTenant(tn.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			vars := map[string]any{"id": ana.ID.String(), "user": ana.ID.String(), "app": e.third.created.App.ID.String()}
			acmeKey, bravoKey := adminKey(t, e.srv, "acme"), adminKey(t, e.srv, "bravo")

			// Tenant B's admin sees no such user and revokes nothing.
			data, code := gql(t, e.srv, "bravo", bravoKey, userGrantsQuery, vars)
			require.Empty(t, code)
			require.Nil(t, data["user"])
			_, code = gql(t, e.srv, "bravo", bravoKey, revokeUserGrant, vars)
			require.Equal(t, "not_found", code)
			tok, err = e.refresh(tok)
			require.NoError(t, err, "B's attempt changed nothing")

			data, code = gql(t, e.srv, "acme", acmeKey, userGrantsQuery, vars)
			require.Empty(t, code)
			grants := data["user"].(map[string]any)["appGrants"].([]any)
			require.Len(t, grants, 1)
			require.Equal(t, e.third.conf.ClientID, grants[0].(map[string]any)["application"].(map[string]any)["clientId"])

			data, code = gql(t, e.srv, "acme", acmeKey, revokeUserGrant, vars)
			require.Empty(t, code)
			require.Equal(t, true, data["revokeUserAppGrant"])
			_, err = e.refresh(tok)
			require.ErrorContains(t, err, "invalid_grant")
			data, _ = gql(t, e.srv, "acme", acmeKey, userGrantsQuery, vars)
			require.Empty(t, data["user"].(map[string]any)["appGrants"])
			e.third.consentPage(e.br, "s2")
		})
	}
}
