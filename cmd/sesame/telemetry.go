package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/telemetry"
)

// tracing sets up traces when configured (--otlp-endpoint, or the
// standard OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
// read by the exporter itself) and returns the function that flushes and
// stops them; with neither, no tracer and a no-op.
func (e cliEnv) tracing(cfg Config, ac *app.Config) (func(context.Context) error, error) {
	ac.Telemetry.TenantLabels = cfg.MetricsTenantLabels
	if cfg.OTLPEndpoint == "" && e.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && e.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return func(context.Context) error { return nil }, nil
	}
	tp, err := telemetry.NewOTLPProvider(e.ctx, cfg.OTLPEndpoint)
	if err != nil {
		return nil, fmt.Errorf("SESAME_OTLP_ENDPOINT / --otlp-endpoint: %w", err)
	}
	ac.Telemetry.TracerProvider = tp
	return func(ctx context.Context) error {
		// A collector that does not answer must not hold the exit.
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return tp.Shutdown(ctx)
	}, nil
}

// serveMetrics serves a's /metrics on cfg.MetricsAddr, when set, until
// the returned stop is called (on shutdown, after the main server).
func serveMetrics(cfg Config, a *app.App, logger *slog.Logger) (func(context.Context) error, error) {
	if cfg.MetricsAddr == "" {
		return func(context.Context) error { return nil }, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("SESAME_METRICS_ADDR / --metrics-addr: cannot listen on %s: %w", cfg.MetricsAddr, err)
	}
	handler := a.Metrics
	if cfg.MetricsProfiles {
		handler = withProfiles(a.Metrics)
	}
	// A CPU profile takes as long as its ?seconds=, 30 by default.
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 90 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "err", err)
		}
	}()
	logger.Info("serving metrics", "listen", ln.Addr().String(), "path", "/metrics")
	return srv.Shutdown, nil
}

// withProfiles serves Go's runtime profiles under /debug/pprof/ beside
// metrics: only on the metrics address, which is not a tenant host.
func withProfiles(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
