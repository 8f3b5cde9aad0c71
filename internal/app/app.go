// Package app is Sesame's composition root: Build makes the whole server
// (tenants service, passkeys, the flows' shared dependencies, the code
// senders, the River job client with its workers, the HTTP handler) from
// one Config, so that the binary and the tests that run the whole server
// build it the same way.
package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/internal/telemetry"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// Config is what the server is built from. The zero value of every field
// but DB and BaseDomain means its default.
type Config struct {
	// DB is the open, migrated database. Required; its owner closes it.
	DB *db.DB
	// BaseDomain is where tenants live: {slug}.{BaseDomain}. Required.
	BaseDomain string
	// Clock tells the time. Default: the wall clock.
	Clock clock.Clock
	// Logger receives request, job and start-up logs. Default: discard.
	Logger *slog.Logger
	// Development turns on what only developers may see: GraphQL
	// introspection, and the console's view of Delivery.Outbox.
	Development bool
	// DemoSlug names the demo tenant the base host's home links to once
	// it exists. Empty links to none.
	DemoSlug string
	// CaptchaScriptOrigin, when set, replaces the scheme and host of the
	// CAPTCHA providers' widget scripts the sign-in pages load, and
	// CaptchaVerifyOrigin those of their siteverify APIs, keeping the
	// providers' paths: for a self-hosted mirror, or a fake in tests.
	// Default "": the providers' own.
	CaptchaScriptOrigin string
	CaptchaVerifyOrigin string
	// DNSServer is the DNS server (host:port) asked for the TXT records
	// that prove enterprise connectors' email domains. Default "": the
	// system's resolver.
	DNSServer string
	// Delivery configures each tenant's SMS and email providers, the code
	// jobs' senders. Default: the tenants' own providers, no outbox.
	Delivery SendersConfig
	// Senders, when set, replaces the tenants' providers for every code
	// and test message (tests). Default nil: jobs.TenantSenders built from
	// Delivery.
	Senders jobs.Senders
	// Jobs tunes the River client (workers, poll interval, cleanup,
	// retries); Build sets its Clock, Logger and Senders. Default: the
	// zero jobs.Config, that is jobs' defaults.
	Jobs jobs.Config
	// KeyEncryptionKey (32 bytes) seals the tenants' OpenID Provider
	// signing keys. Default: a random key for this process only (tests);
	// sesame serve always passes the configured one.
	KeyEncryptionKey []byte
	// Telemetry configures metrics and traces (internal/telemetry). Every
	// App has its own metrics registry, served by App.Metrics. Default: no
	// tenant labels, no traces.
	Telemetry TelemetryConfig
	// Admission bounds the requests of each tenant, and of all tenants,
	// served at once (server.Admission). Default: server's defaults.
	Admission server.AdmissionConfig
}

// TelemetryConfig is what the server's metrics and traces need.
type TelemetryConfig struct {
	// TracerProvider makes the spans of requests, flow steps, statements
	// and jobs. Default nil: no traces.
	TracerProvider trace.TracerProvider
	// TenantLabels labels the request, sign-in and step-error series with
	// the tenant's id: for deployments of a few tenants. Default false.
	TenantLabels bool
}

// SendersConfig is what the tenants' code senders need besides the
// tenants.
type SendersConfig struct {
	// Outbox, in development, receives the codes of tenants whose
	// providers are outbox (the default); nil in production, where such
	// codes fail with an error naming the setting to configure. In
	// development the console lists it. Default nil.
	Outbox *delivery.Outbox
	// TwilioHTTPClient, SMTPDialAddr and SMTPTLSConfig redirect every
	// tenant's Twilio requests and SMTP connections, for tests (see
	// jobs.TenantSendersConfig). Default: none.
	TwilioHTTPClient *http.Client
	SMTPDialAddr     string
	SMTPTLSConfig    *tls.Config
}

// App is the assembled server. Serve Handler; Start works the jobs and
// Stop ends them.
type App struct {
	// Handler serves every host: request ids, access log, health probes,
	// then routing by host to the admin console, a tenant's pages, or a
	// 404.
	Handler http.Handler
	// Jobs is the River client: the flows enqueue code jobs on it, and,
	// once started, its workers send them and clean up.
	Jobs     *jobs.Client
	Tenants  *tenants.Service
	Passkeys *passkey.Service
	// Senders deliver the codes and the console's test messages.
	Senders jobs.Senders
	// Provider is the tenants' OpenID Provider.
	Provider *provider.Provider
	// Telemetry holds the server's metrics registry and tracer; Metrics
	// serves GET /metrics from it, for a listen address of its own, never
	// a tenant host.
	Telemetry *telemetry.Telemetry
	Metrics   http.Handler

	// keys and kek are the tenants' signing keys and the key sealing them,
	// shared by the provider and the back-channel logout jobs.
	keys *provider.KeyRing
	// remover removes accounts whose deletion is due (the jobs' side of
	// the account service).
	remover *accountRemover
	kek     []byte
}

// Build makes the whole server from cfg, and ensures the admin tenant
// exists (the console lives on it). It starts nothing: call Start.
func Build(ctx context.Context, cfg Config) (*App, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("app: Config.DB is required")
	}
	if cfg.BaseDomain == "" {
		return nil, fmt.Errorf("app: Config.BaseDomain is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{Tenants: tenants.NewService(cfg.DB, cfg.BaseDomain), Telemetry: newTelemetry(cfg)}
	a.Metrics = a.Telemetry.Handler()
	if _, err := a.Tenants.EnsureAdmin(ctx); err != nil {
		return nil, fmt.Errorf("ensure admin tenant: %w", err)
	}
	a.Passkeys = passkey.NewService(a.Tenants, cfg.Clock, cfg.Logger)
	var err error
	if a.Senders, err = senders(cfg, a.Tenants); err != nil {
		return nil, err
	}
	if a.keys, a.kek, err = newKeyRing(cfg); err != nil {
		return nil, err
	}
	jc := cfg.Jobs
	jc.Clock, jc.Logger, jc.Senders, jc.LogoutSigner = cfg.Clock, cfg.Logger, a.Senders, a.keys
	jc.LogoutPrivateAddresses = jc.LogoutPrivateAddresses || cfg.Development
	jc.WebhookPrivateAddresses = jc.WebhookPrivateAddresses || cfg.Development
	jc.Middleware = append(jc.Middleware[:len(jc.Middleware):len(jc.Middleware)], a.Telemetry.JobMiddleware())
	a.remover = &accountRemover{}
	jc.AccountRemover = a.remover
	if a.Jobs, err = jobs.NewClient(cfg.DB, jc); err != nil {
		return nil, err
	}
	a.Tenants.Jobs = a.Jobs
	if a.Handler, err = handler(cfg, a); err != nil {
		return nil, err
	}
	return a, nil
}

// senders returns cfg.Senders, or each tenant's providers from its
// settings.
func senders(cfg Config, ts *tenants.Service) (jobs.Senders, error) {
	if cfg.Senders != nil {
		return cfg.Senders, nil
	}
	return jobs.NewTenantSenders(jobs.TenantSendersConfig{
		Tenants:          ts,
		Outbox:           cfg.Delivery.Outbox,
		TwilioHTTPClient: cfg.Delivery.TwilioHTTPClient,
		SMTPDialAddr:     cfg.Delivery.SMTPDialAddr,
		SMTPTLSConfig:    cfg.Delivery.SMTPTLSConfig,
	})
}

// Start starts the job workers. River stops hard when its start context
// ends, so Start detaches from ctx's cancellation: jobs end with Stop,
// gracefully, when the server shuts down.
func (a *App) Start(ctx context.Context) error {
	if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job client: %w", err)
	}
	return nil
}

// Stop lets running jobs finish, until ctx ends, and stops the workers.
func (a *App) Stop(ctx context.Context) error {
	if err := a.Jobs.Stop(ctx); err != nil {
		return fmt.Errorf("stop job client: %w", err)
	}
	return nil
}
