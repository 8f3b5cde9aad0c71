package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestFlowAPI_GetReadsTheStateWithoutMovingIt: a page reloaded mid-flow
// reads where its flow stands (GET /api/flows/{kind}); the read changes
// nothing, and an expired, unknown or foreign flow is flow_not_found.
func TestFlowAPI_GetReadsTheStateWithoutMovingIt(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(time.Now().UTC())
			srv := testserver.Start(t, b, testserver.Options{Clock: clk})
			srv.CreateTenant(t, "peek", "Peek")
			c := newAPIClient(t, srv, "peek")

			start := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": "nobody@example.com"}}, nil)
			require.Equal(t, http.StatusCreated, start.status, string(start.body))
			token := start.json(t)["flow"].(map[string]any)["token"].(string)
			h := map[string]string{"X-Sesame-Flow": token}

			got := c.do(http.MethodGet, "/api/flows/sign-in", nil, h)
			require.Equal(t, http.StatusOK, got.status, string(got.body))
			require.Equal(t, "no-store", got.header.Get("Cache-Control"))
			flow := got.json(t)["flow"].(map[string]any)
			require.Equal(t, "choose_method", flow["state"])
			require.Contains(t, flow["actions"], "password")
			require.NotContains(t, flow, "token", "the token is never echoed")
			require.NotContains(t, got.json(t), "result", "the flow's context stays on the server")

			// Reading twice and running a step after it: the read moved nothing.
			require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/flows/sign-in", nil, h).status)
			step := c.post("/api/flows/sign-in/identify", map[string]any{"identifier": "other@example.com"}, h)
			require.Equal(t, http.StatusOK, step.status, string(step.body))

			for name, headers := range map[string]map[string]string{
				"no token":      nil,
				"unknown token": {"X-Sesame-Flow": "nope"},
			} {
				r := c.do(http.MethodGet, "/api/flows/sign-in", nil, headers)
				require.Equal(t, http.StatusNotFound, r.status, name)
				require.Equal(t, "flow_not_found", r.errorCode(t), name)
			}
			r := c.do(http.MethodGet, "/api/flows/sign-up", nil, h)
			require.Equal(t, "flow_not_found", r.errorCode(t), "a sign-in token is no sign-up flow")
			srv.CreateTenant(t, "peek-other", "Other")
			r = newAPIClient(t, srv, "peek-other").do(http.MethodGet, "/api/flows/sign-in", nil, h)
			require.Equal(t, "flow_not_found", r.errorCode(t), "another tenant's flow")
			r = c.do(http.MethodGet, "/api/flows/nope", nil, h)
			require.Equal(t, http.StatusNotFound, r.status)
			r = c.do(http.MethodGet, "/api/flows/add-passkey", nil, h)
			require.Equal(t, "unauthenticated", r.errorCode(t), "an add-passkey flow is read only by its session")

			clk.Advance(31 * time.Minute)
			r = c.do(http.MethodGet, "/api/flows/sign-in", nil, h)
			require.Equal(t, http.StatusNotFound, r.status)
			require.Equal(t, "flow_not_found", r.errorCode(t), "an expired flow")
		})
	}
}
