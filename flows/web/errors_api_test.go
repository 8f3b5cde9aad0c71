package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// publicErrors reads the errors of a response: the flow API's and the
// WebAuthn routes' {"error": {...}}, or GraphQL's {"errors": [...]} with
// the code in extensions.
func publicErrors(t *testing.T, r apiResponse) []errcode.Error {
	t.Helper()
	var body struct {
		Error  *errcode.Error `json:"error"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code  string `json:"code"`
				Field string `json:"field"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(r.body, &body), string(r.body))
	var out []errcode.Error
	if body.Error != nil {
		out = append(out, *body.Error)
	}
	for _, e := range body.Errors {
		out = append(out, errcode.Error{Code: e.Extensions.Code, Message: e.Message, Field: e.Extensions.Field})
	}
	require.NotEmpty(t, out, "want an error response, got %s", r.body)
	return out
}

func TestAPI_ErrorResponsesCarryOnlyCatalogueCodes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	c := newAPIClient(t, srv, "acme")
	requests := []struct {
		method, path string
		body         any
		headers      map[string]string
		code         string
	}{
		{http.MethodPost, "/api/flows/teleport", map[string]any{}, nil, "unknown_flow"},
		{http.MethodPost, "/api/flows/sign-in", "{", nil, "invalid_input"},
		{http.MethodPost, "/api/flows/sign-in", map[string]any{"action": "passkey.finish"}, nil, "action_not_allowed"},
		{http.MethodPost, "/api/flows/sign-in/identify", map[string]any{"identifier": "a@b.co"}, map[string]string{"X-Sesame-Flow": "made-up"}, "flow_not_found"},
		{http.MethodPost, "/webauthn/register/options", nil, nil, "unauthenticated"},
		{http.MethodPost, "/webauthn/authenticate", map[string]any{}, nil, ""},
		{http.MethodPost, "/no/such/endpoint", map[string]any{}, nil, "not_found"},
		{http.MethodGet, "/graphql", nil, nil, "method_not_allowed"},
		{http.MethodPost, "/graphql", map[string]any{"query": "{ me { id } }"}, nil, "unauthenticated"},
	}
	for _, req := range requests {
		r := c.do(req.method, req.path, req.body, req.headers)
		for _, e := range publicErrors(t, r) {
			want, ok := errcode.Lookup(e.Code)
			require.True(t, ok, "%s %s answered %q, a code outside the catalogue", req.method, req.path, e.Code)
			if r.status != http.StatusOK { // GraphQL answers its resolvers' errors with 200
				require.Equal(t, want.Status, r.status, "%s %s: the catalogue's status for %s", req.method, req.path, e.Code)
			}
			if e.Field == "" && e.Code != "invalid_input" {
				require.Equal(t, want.Message, e.Message, "%s %s: the catalogue's sentence", req.method, req.path)
			}
			if req.code != "" {
				require.Equal(t, req.code, e.Code, "%s %s", req.method, req.path)
			}
		}
	}
}
