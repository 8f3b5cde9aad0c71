// Package testserver runs the whole Sesame HTTP server on 127.0.0.1 for a
// test, on a fresh database of the backend asked for, with base domain
// localhost:PORT, so tenant acme is at http://acme.localhost:PORT: a real
// browser resolves *.localhost to loopback and treats it as a secure
// context, so WebAuthn works there.
package testserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// Server is a running Sesame.
type Server struct {
	// BaseDomain is localhost:PORT.
	BaseDomain string
	DB         *db.DB
	App        *app.App
	Tenants    *tenants.Service
	// Outbox is the development outbox of tenants whose providers are
	// outbox (the default), unless Options.Senders replaced the senders.
	Outbox *delivery.Outbox
	// MetricsURL is http://127.0.0.1:PORT/metrics, the metrics listener
	// Options.Metrics asked for; empty without.
	MetricsURL string
	// KeyEncryptionKey is the server's key-encryption key (random per
	// server), for tests that seal as the server does.
	KeyEncryptionKey []byte
}

// Options tune Start.
type Options struct {
	// Clock replaces the wall clock.
	Clock clock.Clock
	// Logger receives the server's logs. Default: discard.
	Logger *slog.Logger
	// Senders deliver the codes the server's job client sends. Default:
	// each tenant's providers from its settings (app.Config.Delivery), with
	// Server.Outbox as the development outbox and Providers' hooks.
	Senders jobs.Senders
	// WebhookBackoff is the first retry delay of a webhook delivery
	// (jobs.Config.WebhookBackoff). Default: the server's 10s.
	WebhookBackoff time.Duration
	// Development runs the server as `sesame serve --env development`
	// would (GraphQL introspection on).
	Development bool
	// Providers redirects the tenants' Twilio requests and SMTP
	// connections to fakes when Senders is nil; its Outbox, when nil, is a
	// new one (newOutbox).
	Providers app.SendersConfig
	// DNSServer is the DNS server (a fakedns.Server's Addr) asked for
	// the TXT records of connector domains. Default: the system's.
	DNSServer string
	// CaptchaOrigin points the CAPTCHA widget scripts and siteverify calls
	// at a fake (fakesiteverify.Server.URL). Default: the real providers.
	CaptchaOrigin string
	// DB is the migrated database to serve. Default: a fresh one of the
	// backend Start is given (testdb.New).
	DB *db.DB
	// Metrics serves App.Metrics on a listener of its own on 127.0.0.1,
	// as `sesame serve --metrics-addr` does (Server.MetricsURL).
	Metrics bool
	// Telemetry is the server's tracer provider and tenant labels.
	// Default: no traces, no tenant labels.
	Telemetry app.TelemetryConfig
	// Admission bounds the requests served at once (app.Config.Admission).
	// Default: no bound, where the binary has server.DefaultTenantInFlight:
	// the security tests send 100 requests of one tenant at once and
	// require each to be served; internal/load sets bounds of its own.
	Admission *server.AdmissionConfig
}

// jobPoll is how often a test server's idle workers look for new jobs:
// production's default where nothing wakes them (SQLite). On PostgreSQL a
// job's commit wakes them at once, so it only bounds how long a job waits
// on SQLite. On SQLite each poll compiles River's fetch statement in
// modernc.org/sqlite, which under -race costs about a millisecond of CPU:
// at the 20ms this once was, polling took half the CPU time of flows/web's
// test process in a profile of its browser tests.
const jobPoll = jobs.PollIntervalPolling

// Start runs a server until t ends: app.Build on a fresh database, its
// jobs started (polling every jobPoll), served on 127.0.0.1.
func Start(t testing.TB, b testdb.Backend, opts Options) *Server {
	t.Helper()
	d := opts.DB
	if d == nil {
		d = testdb.New(t, b)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := fmt.Sprintf("localhost:%d", ln.Addr().(*net.TCPAddr).Port)

	providers := opts.Providers
	if opts.Senders == nil && providers.Outbox == nil {
		providers.Outbox = newOutbox(opts)
	}
	admission := server.AdmissionConfig{TenantInFlight: -1, TotalInFlight: -1}
	if opts.Admission != nil {
		admission = *opts.Admission
	}
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	a, err := app.Build(context.Background(), app.Config{
		DB: d, BaseDomain: base, KeyEncryptionKey: kek, Clock: opts.Clock, Logger: opts.Logger, Development: opts.Development,
		CaptchaScriptOrigin: opts.CaptchaOrigin, CaptchaVerifyOrigin: opts.CaptchaOrigin, DNSServer: opts.DNSServer,
		Delivery: providers, Senders: opts.Senders, Telemetry: opts.Telemetry, Admission: admission,
		// Every application of a test runs on 127.0.0.1.
		Jobs: jobs.Config{FetchPollInterval: jobPoll, FetchCooldown: 5 * time.Millisecond, LogoutPrivateAddresses: true,
			WebhookPrivateAddresses: true, WebhookBackoff: opts.WebhookBackoff},
	})
	require.NoError(t, err)
	require.NoError(t, a.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Stop(ctx)
	})

	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	s := &Server{BaseDomain: base, DB: d, App: a, Tenants: a.Tenants, Outbox: providers.Outbox, KeyEncryptionKey: kek}
	if opts.Metrics {
		s.MetricsURL = serve(t, a.Metrics) + "/metrics"
	}
	return s
}

// serve serves h on 127.0.0.1 until t ends and returns its origin.
func serve(t testing.TB, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// URL returns the tenant's origin, http://slug.localhost:PORT.
func (s *Server) URL(slug string) string { return "http://" + slug + "." + s.BaseDomain }

// CreateTenant creates a tenant with default settings.
func (s *Server) CreateTenant(t testing.TB, slug, name string) *tenants.Tenant {
	t.Helper()
	tn, err := s.Tenants.Create(context.Background(), slug, name)
	require.NoError(t, err)
	return tn
}

// SetSettings changes the tenant's settings.
func (s *Server) SetSettings(t testing.TB, slug string, change func(st *tenants.Settings)) *tenants.Tenant {
	t.Helper()
	ctx := context.Background()
	tn, err := s.Tenants.BySlug(ctx, slug)
	require.NoError(t, err)
	next := tn.Settings
	change(&next)
	tn, err = s.Tenants.UpdateSettings(ctx, tn, next, true)
	require.NoError(t, err)
	return tn
}

// SetPasskeys changes the tenant's passkey settings.
func (s *Server) SetPasskeys(t testing.TB, slug string, change func(p *tenants.Passkeys)) *tenants.Tenant {
	t.Helper()
	ctx := context.Background()
	tn, err := s.Tenants.BySlug(ctx, slug)
	require.NoError(t, err)
	next := tn.Settings
	change(&next.Passkeys)
	tn, err = s.Tenants.UpdateSettings(ctx, tn, next, true)
	require.NoError(t, err)
	return tn
}

// newOutbox is the development outbox of a server whose tenants keep the
// default providers.
func newOutbox(opts Options) *delivery.Outbox {
	return delivery.NewOutbox(delivery.OutboxConfig{Logger: opts.Logger, Clock: opts.Clock})
}
