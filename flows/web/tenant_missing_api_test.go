package web_test

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
)

// TestAPI_RouteWithoutTenantAnswersErrorNotPanic mounts the tenant host
// outside tenants.Router, so no request carries a tenant: every route
// answers 500 internal as JSON instead of panicking.
func TestAPI_RouteWithoutTenantAnswersErrorNotPanic(t *testing.T) {
	t.Parallel()
	pages, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	h, err := web.New(web.Deps{Deps: flows.Deps{}, Pages: pages})
	require.NoError(t, err)
	for _, route := range []string{
		"GET /", "GET /sign-up", "GET /account", "POST /sign-out", "GET /.well-known/webauthn",
		"POST /api/flows/sign-in", "POST /api/flows/sign-in/identify",
		"POST /webauthn/register/options", "POST /webauthn/register",
		"POST /webauthn/authenticate/options", "POST /webauthn/authenticate",
	} {
		method, path, _ := strings.Cut(route, " ")
		r := httptest.NewRequest(method, path, strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		require.NotPanics(t, func() { h.ServeHTTP(rec, r) }, route)
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
