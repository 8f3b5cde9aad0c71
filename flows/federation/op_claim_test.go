package federation_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestFederation_FailedExchangeLeavesTheFlowToStartAgain: a callback
// whose code the provider refuses claimed the flow's state before the
// exchange, so the real answer coming after it is refused without
// reaching the provider (no token request after the first) and signs in nobody.
// The flow stands in upstream_exchanging, which the sign-in page shows as
// "start again", and federation.begin starts it again: that sign-in works.
func TestFederation_FailedExchangeLeavesTheFlowToStartAgain(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newNodeOP(t, srv, "")
			acme := srv.URL("acme")
			br := newOPBrowser(t)
			token, authorize := br.begin(acme, p.connector.ID, nil)
			callback, _ := br.opSignIn(authorize, "ana")

			bad := "not-the-code"
			r := br.do(http.MethodGet, withParam(callback, "code", &bad), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_failed"`)
			tried := p.op.TokenRequests(t)
			require.Positive(t, tried)

			r = br.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			require.Equal(t, tried, p.op.TokenRequests(t), "the claimed state's code is not exchanged again")
			require.Equal(t, counts{}, p.counts())

			flow := map[string]string{"X-Sesame-Flow": token}
			r = br.do(http.MethodGet, acme+"/api/flows/sign-in", nil, flow)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Equal(t, "upstream_exchanging", r.json(t)["flow"].(map[string]any)["state"])

			r = br.do(http.MethodPost, acme+"/api/flows/sign-in/federation.begin", map[string]any{"connector": p.connector.ID.String()}, flow)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			again, err := url.Parse(r.json(t)["result"].(map[string]any)["redirect"].(string))
			require.NoError(t, err)
			callback, _ = br.opSignIn(again, "ana")
			r = br.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, p.counts())
			require.Equal(t, tried+1, p.op.TokenRequests(t))
		})
	}
}
