package flows_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
)

func TestWriteError_SendsOnlyCatalogueCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"a catalogue error", flows.Fail(flows.ErrInvalidCode), http.StatusUnauthorized, "invalid_code"},
		{"a wrapped one", fmt.Errorf("verify: %w", flows.ErrPasskeyFailed), http.StatusUnauthorized, "passkey_failed"},
		{"a plain error", errors.New("pq: deadlock detected"), http.StatusInternalServerError, "internal"},
		{"an ad-hoc code", &flows.Error{Code: "made_up", Status: http.StatusTeapot, Message: "secret"}, http.StatusInternalServerError, "internal"},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		flows.WriteError(rec, tc.err)
		require.Equal(t, tc.status, rec.Code, tc.name)
		var body struct {
			Error flows.Error `json:"error"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), tc.name)
		require.Equal(t, tc.code, body.Error.Code, tc.name)
		require.NotContains(t, rec.Body.String(), "secret", tc.name)
		require.NotContains(t, rec.Body.String(), "pq:", tc.name)
	}
}
