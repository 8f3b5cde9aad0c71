package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/descope/virtualwebauthn"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// windowsHello is an AAGUID of the shipped table and its name.
const (
	windowsHelloAAGUID = "08987058-cadc-4b81-b6e1-30de50dcbe96"
	windowsHello       = "Windows Hello"
)

// policyDevice is a software authenticator with the AAGUID and backup
// eligibility given.
func policyDevice(srv *testserver.Server, aaguid string, backupEligible bool) *apiDevice {
	d := newAPIDevice(srv, "acme")
	d.auth = virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{BackupEligible: backupEligible, BackupState: backupEligible})
	d.auth.Aaguid = uuid.MustParse(aaguid)
	d.cred = softkey.NewEC2()
	return d
}

// apiAddPasskey runs the add-passkey flow for c's session with dev and
// returns the finish's answer.
func apiAddPasskey(t *testing.T, c *apiClient, dev *apiDevice) apiResponse {
	t.Helper()
	r := c.post("/api/flows/add-passkey", map[string]any{"action": "passkey.begin"}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	return c.post("/api/flows/add-passkey/passkey.finish", map[string]any{"credential": dev.create(t, apiPublicKey(t, r))},
		map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)})
}

// fitsPolicy reads me.passkeys' fitsPolicy through the account API.
func fitsPolicy(t *testing.T, c *apiClient) []bool {
	t.Helper()
	r := c.post("/graphql", map[string]any{"query": "{ me { passkeys { fitsPolicy } } }"}, map[string]string{"X-Sesame-Request": "1"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var out struct {
		Data struct {
			Me struct {
				Passkeys []struct {
					FitsPolicy bool `json:"fitsPolicy"`
				} `json:"passkeys"`
			} `json:"me"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	var fits []bool
	for _, p := range out.Data.Me.Passkeys {
		fits = append(fits, p.FitsPolicy)
	}
	return fits
}

func TestAuthenticatorPolicy_RefusesADeniedAuthenticatorAndSyncedPasskeysAndMarksExistingOnes(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			user := acme.newEmailUser(t, adaEmail, offerPassword)
			c := newAPIClient(t, srv, "acme")
			apiPasswordSignIn(t, c, adaEmail, offerPassword)

			// Any authenticator at first: a synced Windows Hello passkey.
			synced := policyDevice(srv, windowsHelloAAGUID, true)
			r := apiAddPasskey(t, c, synced)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Equal(t, []bool{true}, fitsPolicy(t, c))

			// Denied by name: refused, with the catalogue's sentence.
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.AuthenticatorPolicy = tenants.AuthenticatorPolicy{Mode: tenants.AuthenticatorsDeny, Authenticators: []string{windowsHello}}
			})
			r = apiAddPasskey(t, c, policyDevice(srv, windowsHelloAAGUID, false))
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "passkey_not_allowed", r.errorCode(t))
			require.Len(t, acme.credentials(t, user.ID), 1)
			require.Equal(t, []bool{false}, fitsPolicy(t, c), "the existing passkey is marked, not removed")
			// ... and still signs in.
			other := newAPIClient(t, srv, "acme")
			r = other.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			r = other.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": synced.get(t, apiPublicKey(t, r))},
				map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)})
			require.Equal(t, http.StatusOK, r.status, string(r.body))

			// Device-bound only: a backup-eligible passkey is refused, a
			// device-bound one of another model is not.
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.AuthenticatorPolicy = tenants.AuthenticatorPolicy{Mode: tenants.AuthenticatorsAny, DeviceBoundOnly: true}
			})
			model := uuid.NewString()
			r = apiAddPasskey(t, c, policyDevice(srv, model, true))
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Equal(t, "passkey_not_allowed", r.errorCode(t))
			r = apiAddPasskey(t, c, policyDevice(srv, model, false))
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Equal(t, []bool{false, true}, fitsPolicy(t, c))
			creds := acme.credentials(t, user.ID)
			require.Len(t, creds, 2)
			require.False(t, creds[1].BackupEligible)

			// An allow list that requires attestation: the software
			// authenticator attests nothing, so even a listed model is refused.
			acme.tenant = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.AuthenticatorPolicy = tenants.AuthenticatorPolicy{Mode: tenants.AuthenticatorsAllow, Authenticators: []string{windowsHello}, RequireAttestation: true}
			})
			r = apiAddPasskey(t, c, policyDevice(srv, windowsHelloAAGUID, false))
			require.Equal(t, http.StatusForbidden, r.status, string(r.body))
			require.Len(t, acme.credentials(t, user.ID), 2)
		})
	}
}

func TestAuthenticatorPolicy_UnknownNamesAndInconsistentChoicesAreRefused(t *testing.T) {
	t.Parallel()
	for _, p := range []tenants.AuthenticatorPolicy{
		{Mode: "some"},
		{Mode: tenants.AuthenticatorsDeny, Authenticators: []string{"No Such Key"}},
		{Mode: tenants.AuthenticatorsAllow},
		{Mode: tenants.AuthenticatorsDeny, Authenticators: []string{windowsHello}, RequireAttestation: true},
	} {
		require.Error(t, p.Validate(), "%+v", p)
	}
	require.NoError(t, tenants.AuthenticatorPolicy{Mode: tenants.AuthenticatorsAllow, Authenticators: []string{windowsHello, "YubiKey 5 Series"}}.Validate())
}
