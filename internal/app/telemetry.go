package app

import (
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/telemetry"
)

// newTelemetry makes the server's metrics registry and tracer and watches
// its database (pool statistics, queue depth, statement spans). The
// OpenID Provider's endpoints and the health probes match no ServeMux
// pattern, so they are named as the routes of their requests.
func newTelemetry(cfg Config) *telemetry.Telemetry {
	t := telemetry.New(telemetry.Options{
		TracerProvider: cfg.Telemetry.TracerProvider,
		TenantLabels:   cfg.Telemetry.TenantLabels,
		KnownPaths: []string{
			"/healthz", "/readyz",
			provider.DiscoveryPath, provider.AuthorizePath, provider.TokenPath, provider.UserinfoPath,
			provider.RevokePath, provider.IntrospectPath, provider.EndSessionPath, provider.KeysPath,
			provider.LoginPath, provider.ConsentPath,
		},
	})
	t.WatchDB(cfg.DB)
	return t
}
