package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestAPI_ASignUpThatCreatesTheAccountAtOnceSetsTheSessionCookie: with
// nothing to prove and no password, the first action creates the account;
// starting the flow with it signs the client in, and the client's cookie
// then drives the passkey prompt.
func TestAPI_ASignUpThatCreatesTheAccountAtOnceSetsTheSessionCookie(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	next := tn.Settings
	next.SignUp.Identifiers = []string{tenants.IdentifierUsername}
	next.SignUp.Required = []string{tenants.IdentifierUsername}
	_, err := srv.Tenants.UpdateSettings(t.Context(), tn, next, true)
	require.NoError(t, err)
	c := newAPIClient(t, srv, "acme")

	r := c.post("/api/flows/sign-up", map[string]any{"action": "sign_up", "input": map[string]any{"username": "ada"}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Equal(t, "passkey_prompt", r.json(t)["flow"].(map[string]any)["state"])
	require.NotNil(t, apiSessionCookie(t, r), "the new account is signed in")
	token := apiFlowToken(t, r)

	other := newAPIClient(t, srv, "acme")
	r = other.post("/api/flows/sign-up/passkey_prompt.skip", map[string]any{}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
	require.Equal(t, "unauthenticated", r.errorCode(t))

	r = c.post("/api/flows/sign-up/passkey_prompt.skip", map[string]any{}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "done", r.json(t)["flow"].(map[string]any)["state"])
	r = c.do(http.MethodGet, "/account", nil, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), "ada")
}
