package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// errorBody is the flow API's error answer.
type errorBody struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

func TestWithTenant_WithoutTenantAnswersJSONErrorNotPanic(t *testing.T) {
	t.Parallel()
	called := false
	h := server.WithTenant(slog.New(slog.DiscardHandler), func(http.ResponseWriter, *http.Request, *tenants.Tenant) {
		called = true
	})
	rec := httptest.NewRecorder()
	require.NotPanics(t, func() { h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/flows/sign-in", nil)) })
	require.False(t, called, "the handler ran without a tenant")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	var body errorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, "internal", body.Error.Code)
}

func TestWithTenant_PassesTheContextsTenant(t *testing.T) {
	t.Parallel()
	want := &tenants.Tenant{Slug: "acme"}
	var got *tenants.Tenant
	h := server.WithTenant(slog.New(slog.DiscardHandler), func(_ http.ResponseWriter, _ *http.Request, tn *tenants.Tenant) {
		got = tn
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	h.ServeHTTP(httptest.NewRecorder(), r.WithContext(tenants.WithTenant(r.Context(), want)))
	require.Same(t, want, got)
}

func TestRequestInfo_PeerIPUserAgentAndLanguage(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "192.0.2.7:4321"
	r.Header.Set("User-Agent", "test-agent")
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Set("Accept-Language", "es-MX,es;q=0.9")
	req := server.RequestInfo(r)
	require.Equal(t, "192.0.2.7", req.IP, "the peer's address, never X-Forwarded-For")
	require.Equal(t, "test-agent", req.UserAgent)
	require.Equal(t, "es", req.Lang)
}

func TestReadJSON_RefusesBodiesOverTheLimitAndInvalidJSON(t *testing.T) {
	t.Parallel()
	big := `"` + strings.Repeat("a", server.MaxBody) + `"`
	for name, body := range map[string]string{"too large": big, "not JSON": "{"} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		_, err := server.ReadJSON(httptest.NewRecorder(), r)
		require.Error(t, err, name)
		rec := httptest.NewRecorder()
		server.Fail(slog.New(slog.DiscardHandler), rec, r, err)
		require.Equal(t, http.StatusBadRequest, rec.Code, name)
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"a": 1}`))
	b, err := server.ReadJSON(httptest.NewRecorder(), r)
	require.NoError(t, err)
	require.JSONEq(t, `{"a": 1}`, string(b))
}
