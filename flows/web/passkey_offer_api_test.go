package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// afterSignIn is what the answer of a sign-in step tells the page.
type afterSignIn struct {
	Offer *struct {
		Upgrade bool `json:"upgrade"`
		Prompt  bool `json:"prompt"`
	} `json:"passkey_offer"`
}

// apiPasswordSignIn signs c in by email and password through the flow API.
func apiPasswordSignIn(t *testing.T, c *apiClient, email, pw string) afterSignIn {
	t.Helper()
	r := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r = c.post("/api/flows/sign-in/password", map[string]any{"password": pw}, map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var out afterSignIn
	require.NoError(t, json.Unmarshal(r.body, &out))
	return out
}

// passkeySignals is the Signal API's view of c's account, from the account
// API, as the page asks for it after a sign-in.
func passkeySignals(t *testing.T, c *apiClient) map[string]any {
	t.Helper()
	d, code := c.gql(t, `query { me { passkeySignals { rpId userId name displayName credentialIds } } }`, nil)
	require.Empty(t, code)
	return d["me"].(map[string]any)["passkeySignals"].(map[string]any)
}

// TestAPI_APasswordSignInOffersAPasskeyUntilTheUserHoldsOne: the answer of
// the step that signed in carries the offer, and the account API the
// Signal API's view of the user; the passkey the upgrade's conditional create returns is
// registered by the add-passkey flow like any other; then nothing more is
// offered, and the new id is among the accepted ones.
func TestAPI_APasswordSignInOffersAPasskeyUntilTheUserHoldsOne(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.PasskeyOffers.Upgrade = true
				s.PasskeyOffers.Prompt = true
			})
			user := acme.newEmailUser(t, adaEmail, offerPassword)
			c := newAPIClient(t, srv, "acme")

			got := apiPasswordSignIn(t, c, adaEmail, offerPassword)
			require.NotNil(t, got.Offer)
			require.True(t, got.Offer.Upgrade)
			require.True(t, got.Offer.Prompt)
			signals := passkeySignals(t, c)
			require.Equal(t, "acme.localhost", signals["rpId"])
			require.Equal(t, base64.RawURLEncoding.EncodeToString(user.WebAuthnHandle), signals["userId"])
			require.Equal(t, adaEmail, signals["name"])
			require.Empty(t, signals["credentialIds"])

			// The registration path the page's conditional create takes.
			dev := newAPIDevice(srv, "acme")
			r := c.post("/api/flows/add-passkey", map[string]any{"action": "passkey.begin"}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			r = c.post("/api/flows/add-passkey/passkey.finish", map[string]any{"credential": dev.create(t, apiPublicKey(t, r))},
				map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)})
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			creds := acme.credentials(t, user.ID)
			require.Len(t, creds, 1)
			require.NotEmpty(t, creds[0].Name)

			again := newAPIClient(t, srv, "acme")
			got = apiPasswordSignIn(t, again, adaEmail, offerPassword)
			require.NotNil(t, got.Offer)
			require.False(t, got.Offer.Upgrade, "the user holds a passkey")
			require.False(t, got.Offer.Prompt, "the user holds a passkey")
			require.Equal(t, []any{base64.RawURLEncoding.EncodeToString(creds[0].CredentialID)}, passkeySignals(t, again)["credentialIds"])
		})
	}
}

// TestAPI_NoPasskeyOfferByDefaultOrWhereTheTenantLetsNoOneCreateOne: the offers
// follow the tenant's registration switch, and are off by default.
func TestAPI_NoPasskeyOfferByDefaultOrWhereTheTenantLetsNoOneCreateOne(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.newEmailUser(t, adaEmail, offerPassword)

	got := apiPasswordSignIn(t, newAPIClient(t, srv, "acme"), adaEmail, offerPassword)
	require.NotNil(t, got.Offer)
	require.False(t, got.Offer.Upgrade)
	require.False(t, got.Offer.Prompt)

	acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
		s.PasskeyOffers.Upgrade = true
		s.PasskeyOffers.Prompt = true
		s.Passkeys.AllowRegistration = false
	})
	got = apiPasswordSignIn(t, newAPIClient(t, srv, "acme"), adaEmail, offerPassword)
	require.False(t, got.Offer.Upgrade)
	require.False(t, got.Offer.Prompt)
}
