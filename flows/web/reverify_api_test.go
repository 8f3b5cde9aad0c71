package web_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// gql posts a GraphQL request with the client's session cookie and
// returns the data and the first error's code ("" for none).
func (c *apiClient) gql(t *testing.T, query string, vars map[string]any) (map[string]any, string) {
	t.Helper()
	r := c.post("/graphql", map[string]any{"query": query, "variables": vars}, map[string]string{"X-Sesame-Request": "1"})
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		return out.Data, code
	}
	return out.Data, ""
}

// reverifyWith re-verifies the client's session with dev's passkey through
// beginReverification / finishReverification and returns the error code
// of the finish ("" when it verified).
func reverifyWith(t *testing.T, c *apiClient, dev *apiDevice) string {
	t.Helper()
	d, code := c.gql(t, `mutation { beginReverification(factor: PASSKEY) { ceremony options } }`, nil)
	require.Empty(t, code)
	begun := d["beginReverification"].(map[string]any)
	var opts struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	require.NoError(t, json.Unmarshal([]byte(begun["options"].(string)), &opts))
	_, code = c.gql(t, `mutation($c: String!, $r: String!) { finishReverification(ceremony: $c, response: $r) { verifiedAt } }`,
		map[string]any{"c": begun["ceremony"], "r": string(dev.get(t, opts.PublicKey))})
	return code
}

// TestAPI_AddPasskeyDoorsNeedARecentVerification: a session verified 30
// minutes ago adds no passkey through the flow API (either action) or the
// WebAuthn register routes; a wrong re-verification changes nothing; after
// re-verifying with its passkey, the same session (same cookie) adds one.
// A ceremony begun in time cannot be finished once the verification is
// more than 10 minutes old.
func TestAPI_AddPasskeyDoorsNeedARecentVerification(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
			srv := testserver.Start(t, b, testserver.Options{Clock: clk})
			srv.CreateTenant(t, "acme", "Acme")
			c := newAPIClient(t, srv, "acme")
			dev := newAPIDevice(srv, "acme")
			apiSignUp(t, c, dev, "ana@example.com")

			clk.Advance(30 * time.Minute)
			refused := func(r apiResponse) {
				t.Helper()
				require.Equal(t, http.StatusForbidden, r.status, string(r.body))
				require.Equal(t, "reverification_required", r.errorCode(t))
			}
			refused(c.post("/webauthn/register/options", nil, nil))
			refused(c.post("/api/flows/add-passkey", map[string]any{"action": "passkey.begin", "input": map[string]any{}}, nil))
			r := c.post("/api/flows/add-passkey", map[string]any{}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			refused(c.post("/api/flows/add-passkey/passkey.begin", map[string]any{}, map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)}))

			// A passkey the account does not have does not re-verify it.
			stranger := newAPIDevice(srv, "acme")
			stranger.auth.Options.UserHandle = dev.auth.Options.UserHandle
			stranger.auth.AddCredential(stranger.cred)
			require.Equal(t, "passkey_failed", reverifyWith(t, c, stranger))
			refused(c.post("/webauthn/register/options", nil, nil))

			// Its own passkey does; the session is the same one.
			require.Empty(t, reverifyWith(t, c, dev))
			r = c.post("/webauthn/register/options", nil, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			second := newAPIDevice(srv, "acme")
			second.auth.Options.UserHandle = dev.auth.Options.UserHandle
			r = c.post("/webauthn/register?name=Second", second.create(t, r.body), nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))

			// Begun 9 minutes after the verification, finished at 11: the
			// finishing step checks again, at both doors.
			clk.Advance(9 * time.Minute)
			third := newAPIDevice(srv, "acme")
			third.auth.Options.UserHandle = dev.auth.Options.UserHandle
			options := c.post("/webauthn/register/options", nil, nil)
			require.Equal(t, http.StatusOK, options.status, string(options.body))
			flow := c.post("/api/flows/add-passkey", map[string]any{"action": "passkey.begin", "input": map[string]any{}}, nil)
			require.Equal(t, http.StatusCreated, flow.status, string(flow.body))
			clk.Advance(2 * time.Minute)
			refused(c.post("/webauthn/register?name=Third", third.create(t, options.body), nil))
			fourth := newAPIDevice(srv, "acme")
			fourth.auth.Options.UserHandle = dev.auth.Options.UserHandle
			refused(c.post("/api/flows/add-passkey/passkey.finish", map[string]any{"credential": fourth.create(t, apiPublicKey(t, flow))},
				map[string]string{"X-Sesame-Flow": apiFlowToken(t, flow)}))

			// Re-verified again, the flow API adds one through both actions.
			require.Empty(t, reverifyWith(t, c, dev))
			flow = c.post("/api/flows/add-passkey", map[string]any{"action": "passkey.begin", "input": map[string]any{}}, nil)
			require.Equal(t, http.StatusCreated, flow.status, string(flow.body))
			r = c.post("/api/flows/add-passkey/passkey.finish", map[string]any{"credential": fourth.create(t, apiPublicKey(t, flow)), "name": "Fourth"},
				map[string]string{"X-Sesame-Flow": apiFlowToken(t, flow)})
			require.Equal(t, http.StatusOK, r.status, string(r.body))

			d, code := c.gql(t, `{ me { passkeys { name } sessions { amr } } }`, nil)
			require.Empty(t, code)
			me := d["me"].(map[string]any)
			require.Len(t, me["passkeys"], 3)
			require.Len(t, me["sessions"], 1, "re-verifying issued no other session")
			require.Contains(t, me["sessions"].([]any)[0].(map[string]any)["amr"], flows.AMRWebAuthn)
		})
	}
}
