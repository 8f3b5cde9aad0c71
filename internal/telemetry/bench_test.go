package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/telemetry"
)

// BenchmarkTelemetry_RequestAndStep is the per-request cost the metrics
// add with traces off: the HTTP middleware and a Route around a ServeMux,
// and one observed flow step (the step's own work is a no-op here).
func BenchmarkTelemetry_RequestAndStep(b *testing.B) {
	tm := telemetry.New(telemetry.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/flows/{kind}/{action}", func(w http.ResponseWriter, r *http.Request) {
		ctx := tm.StartStep(r.Context(), "sign_in", "passkey.finish")
		tm.EndStep(ctx, flows.StepOutcome{Kind: "sign_in", Action: "passkey.finish", Next: flows.Done, SignedIn: true})
		w.WriteHeader(http.StatusOK)
	})
	bare := http.NewServeMux()
	bare.HandleFunc("POST /api/flows/{kind}/{action}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/api/flows/sign-in/passkey.finish", nil)
	for name, h := range map[string]http.Handler{"bare": bare, "observed": tm.HTTP(tm.Route(telemetry.HostTenant, mux))} {
		b.Run(name, func(b *testing.B) {
			w := discard{}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
