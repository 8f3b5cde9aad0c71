package web_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// A passkey the tenant does not know (removed, or another site's data
// left in the password manager) is refused on the custom page's route
// /webauthn/authenticate with the passkey_unknown the hosted page gets,
// naming the credential and the RP ID as
// PublicKeyCredential.signalUnknownCredential takes them.
func TestAPI_AnUnknownPasskeyOnTheWebAuthnRouteNamesItForTheSignalAPI(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			stray := newAPIDevice(srv, "acme")
			stray.auth.Options.UserHandle = []byte("a handle the tenant never gave")
			stray.auth.AddCredential(stray.cred)
			want := map[string]any{"rpId": "acme.localhost", "credentialId": base64.RawURLEncoding.EncodeToString(stray.cred.ID)}

			c := newAPIClient(t, srv, "acme")
			r := c.post("/webauthn/authenticate/options", nil, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			r = c.post("/webauthn/authenticate", stray.get(t, r.body), nil)
			require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
			custom := r.json(t)["error"].(map[string]any)
			require.Equal(t, "passkey_unknown", custom["code"])
			require.Equal(t, want, custom["credential"])

			// The hosted page's flow answers the same.
			hosted := newAPIClient(t, srv, "acme")
			r = hosted.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			r = hosted.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": stray.get(t, apiPublicKey(t, r))},
				map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)})
			require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
			e := r.json(t)["error"].(map[string]any)
			require.Equal(t, custom["code"], e["code"])
			require.Equal(t, custom["message"], e["message"])
			require.Equal(t, want, e["credential"])
		})
	}
}
