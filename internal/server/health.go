package server

import (
	"context"
	"net/http"
	"time"
)

// Health serves the two probes on every host:
//
//   - GET /healthz answers 200 while the process runs (liveness);
//   - GET /readyz answers 200 when ready(ctx) returns nil and 503 otherwise
//     (readiness: the database is reachable and migrated). The reason is
//     not shown, only logged by ready's owner.
//
// Any other path goes to next.
func Health(ready func(ctx context.Context) error, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte("ok\n"))
		case "/readyz":
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			if err := ready(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("not ready\n"))
				return
			}
			_, _ = w.Write([]byte("ready\n"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
