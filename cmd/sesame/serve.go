package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(server.LogHandler{Handler: h})
}

// serve runs the server: it opens (and, with --migrate, migrates) the
// database, builds the whole server with app.Build, sets up the demo, and
// serves until the signal context ends, then stops the jobs gracefully.
func (e cliEnv) serve(args []string) error {
	cfg, err := e.parse(e.newFlagSet("serve"), true, args)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, e.stderr)
	d, err := e.openDB(cfg, logger, false)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := migrateOnStart(e.ctx, d, cfg, logger); err != nil {
		return err
	}
	ac := appConfig(cfg, d, logger)
	if ac.KeyEncryptionKey, err = keyEncryptionKey(cfg, logger); err != nil {
		return err
	}
	stopTracing, err := e.tracing(cfg, &ac)
	if err != nil {
		return err
	}
	defer func() { _ = stopTracing(context.WithoutCancel(e.ctx)) }()
	a, err := app.Build(e.ctx, ac)
	if err != nil {
		return err
	}
	demoLink, err := setUpDemo(e.ctx, d, a.Tenants, cfg, logger, time.Now())
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("SESAME_LISTEN / --listen: cannot listen on %s: %w", cfg.Listen, err)
	}
	stopMetrics, err := serveMetrics(cfg, a, logger)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if err := a.Start(e.ctx); err != nil {
		_ = ln.Close()
		_ = stopMetrics(e.ctx)
		return err
	}
	printURLs(e.stdout, cfg, a.Tenants.Scheme(), ln.Addr().String(), demoLink)
	logger.Info("serving", "listen", ln.Addr().String(), "base_domain", cfg.BaseDomain, "env", cfg.Env, "database", string(d.Dialect()))
	srv := &server.Server{
		Handler:         a.Handler,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          logger,
		OnShutdown:      []func(ctx context.Context) error{a.Stop, stopMetrics},
	}
	return srv.Serve(e.ctx, ln)
}

// migrateOnStart applies pending migrations when cfg.Migrate allows, and
// refuses to serve an unmigrated database otherwise.
func migrateOnStart(ctx context.Context, d *db.DB, cfg Config, logger *slog.Logger) error {
	status, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if status.Current() {
		if len(status.Ahead) > 0 {
			logger.Info("database has additive migrations from a newer sesame; serving", "ahead", strings.Join(status.Ahead, ","))
		}
		return nil
	}
	if !cfg.Migrate {
		return errors.New("the database is not migrated and SESAME_MIGRATE / --migrate is false; run `sesame migrate` first")
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	logger.Info("migrated database", "applied", strings.Join(applied, ","))
	return nil
}

// appConfig is the server's configuration from the binary's settings.
// Each tenant's codes go through the providers in its settings. The
// default provider, outbox, is the development outbox, readable at
// /dev/outbox; a production server has none, so a tenant that has not
// configured Twilio or SMTP gets its codes refused with a log line naming
// the setting.
func appConfig(cfg Config, d *db.DB, logger *slog.Logger) app.Config {
	development := cfg.Env == "development"
	ac := app.Config{
		DB: d, BaseDomain: cfg.BaseDomain, Logger: logger, Development: development,
		CaptchaScriptOrigin: cfg.CaptchaScriptOrigin, CaptchaVerifyOrigin: cfg.CaptchaVerifyOrigin,
		Jobs:      jobs.Config{FetchPollInterval: cfg.JobPollInterval, WebhookPrivateAddresses: cfg.WebhookPrivateAddresses},
		DNSServer: cfg.DNSServer,
		Admission: server.AdmissionConfig{TenantInFlight: cfg.TenantInFlight, TotalInFlight: cfg.TotalInFlight},
	}
	if cfg.Demo {
		ac.DemoSlug = demoSlug
	}
	if development {
		ac.Delivery.Outbox = delivery.NewOutbox(delivery.OutboxConfig{Logger: logger})
	}
	return ac
}

// printURLs prints where to go once the server listens: the README's
// "Set up" section shows the same lines.
func printURLs(w io.Writer, cfg Config, scheme, addr, demoLink string) {
	admin := scheme + "://" + tenants.AdminSlug + "." + cfg.BaseDomain
	fmt.Fprintf(w, "Sesame is listening on %s\n", addr)
	fmt.Fprintf(w, "  admin console: %s/console\n", admin)
	if cfg.Env == "development" {
		fmt.Fprintf(w, "  dev outbox:    %s/dev/outbox (codes sent by SMS and email)\n", admin)
	}
	if cfg.Demo {
		fmt.Fprintf(w, "  demo tenant:   %s://%s.%s\n", scheme, demoSlug, cfg.BaseDomain)
		fmt.Fprintf(w, "  demo app:      %s (sign in there with a passkey; make run starts it)\n", cfg.DemoAppURL)
		fmt.Fprintf(w, "  demo administrator %s: set up a passkey once at %s\n", demoAdmin, demoLink)
	}
}
