package admin_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/web"
	"github.com/sesame-id/sesame/internal/admin"
	"github.com/sesame-id/sesame/internal/delivery"
)

// TestAdmin_RouteWithoutTenantAnswersErrorNotPanic mounts the admin host
// outside tenants.Router, so no request carries the admin tenant: every
// console route answers 500 internal as JSON instead of panicking.
func TestAdmin_RouteWithoutTenantAnswersErrorNotPanic(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	pages, err := console.New(logger)
	require.NoError(t, err)
	h, err := web.New(web.Deps{Deps: flows.Deps{Logger: logger}, Pages: pages})
	require.NoError(t, err)
	a := admin.New(h, nil, true, delivery.NewOutbox(delivery.OutboxConfig{Logger: logger}))
	for _, route := range []string{
		"GET /console", "GET /console/tenants", "GET /console/api/tenants", "POST /console/api/tenants",
		"POST /console/tenants/acme/graphql", "GET /console/api/outbox", "GET /dev/outbox",
		"GET /setup", "POST /api/setup",
	} {
		method, path, _ := strings.Cut(route, " ")
		r := httptest.NewRequest(method, path, strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(admin.ConsoleCSRFHeader, "1")
		rec := httptest.NewRecorder()
		require.NotPanics(t, func() { a.ServeHTTP(rec, r) }, route)
		require.Equal(t, http.StatusInternalServerError, rec.Code, route)
		var body struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), route)
		require.Equal(t, "internal", body.Error.Code, route)
	}
}
