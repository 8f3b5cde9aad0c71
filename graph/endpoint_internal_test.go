package graph

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

// gqlErrorCode sends a query to h and returns the status and the first
// error's code.
func gqlErrorCode(t *testing.T, h http.Handler, r *http.Request) (int, string) {
	t.Helper()
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	require.NotPanics(t, func() { h.ServeHTTP(rec, r) })
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	require.NotEmpty(t, body.Errors, rec.Body.String())
	code, _ := body.Errors[0].Extensions["code"].(string)
	return rec.Code, code
}

func TestEndpoint_WithoutTenantAnswersInternalErrorNotPanic(t *testing.T) {
	t.Parallel()
	h, err := NewHandler(Deps{})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ me { id } }"}`))
	status, code := gqlErrorCode(t, h, r)
	require.Equal(t, http.StatusInternalServerError, status)
	require.Equal(t, "internal", code)
}

func TestEndpoint_OperationWithoutCallerAnswersErrorNotPanic(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h, err := NewHandler(Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ me { id } }"}`))
	r = r.WithContext(tenants.WithTenant(r.Context(), &tenants.Tenant{Slug: "acme"}))
	// The gqlgen server itself, past both doors that set the caller.
	_, code := gqlErrorCode(t, h.(*endpoint).srv, r)
	require.Equal(t, "internal", code)
	// Refused before any resolver ran, not recovered from a resolver's
	// panic (SetRecoverFunc would answer internal too).
	require.NotContains(t, logs.String(), "panicked")
	require.Contains(t, logs.String(), "graphql operation without caller")
}
