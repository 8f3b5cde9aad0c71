package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// TestAdmission_ATenantsFloodIsHeldToItsShareAndLeavesRoomForAnother sends
// 100 concurrent requests of tenant A at a handler that holds them: at most
// TenantInFlight are served, the rest refused 429 tenant_busy with
// Retry-After; tenant B is still served, until the server's total is full
// (503 server_busy); every place comes back when the requests end.
func TestAdmission_ATenantsFloodIsHeldToItsShareAndLeavesRoomForAnother(t *testing.T) {
	t.Parallel()
	a := server.NewAdmission(server.AdmissionConfig{TenantInFlight: 8, TotalInFlight: 10}, nil)
	release := make(chan struct{})
	var serving, most atomic.Int64
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := serving.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		serving.Add(-1)
	}))
	tA, tB := &tenants.Tenant{ID: uuid.New()}, &tenants.Tenant{ID: uuid.New()}
	send := func(tn *tenants.Tenant) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/api/flows/sign-in", nil)
		h.ServeHTTP(w, r.WithContext(tenants.WithTenant(r.Context(), tn)))
		return w
	}

	var (
		wg      sync.WaitGroup
		refused atomic.Int64
	)
	codes := make([]int, 100)
	for i := range codes {
		wg.Go(func() {
			w := send(tA)
			codes[i] = w.Code
			if w.Code != http.StatusOK {
				refused.Add(1)
				require.Equal(t, "1", w.Header().Get("Retry-After"))
				require.Equal(t, "tenant_busy", errorCode(t, w))
			}
		})
	}
	require.Eventually(t, func() bool { n, _ := a.InFlight(tA.ID); return n == 8 && refused.Load() == 92 }, 5e9, 1e6)
	// B gets the places A cannot take: two, then the server is full.
	for range 2 {
		wg.Go(func() { require.Equal(t, http.StatusOK, send(tB).Code) })
	}
	require.Eventually(t, func() bool { _, total := a.InFlight(tB.ID); return total == 10 }, 5e9, 1e6)
	w := send(&tenants.Tenant{ID: uuid.New()})
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "server_busy", errorCode(t, w))
	require.Equal(t, "1", w.Header().Get("Retry-After"))

	close(release)
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == http.StatusOK {
			ok++
		} else {
			require.Equal(t, http.StatusTooManyRequests, c)
		}
	}
	require.Equal(t, 8, ok, "A is served up to its share, never more")
	require.EqualValues(t, 10, most.Load())
	n, total := a.InFlight(tA.ID)
	require.Zero(t, n)
	require.Zero(t, total)
	require.Equal(t, http.StatusOK, send(tA).Code, "the places came back")
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	var out struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return out.Error.Code
}
