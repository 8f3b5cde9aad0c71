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

// demoSlug is the tenant `serve --demo` (and so `make run`) makes.
const demoSlug = "demo"

// demoAdmin is the demo's console administrator, a platform owner and an
// owner of the demo tenant; `serve --demo` prints a new setup link for it on every start.
const demoAdmin = "admin@demo.example"

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(server.LogHandler{Handler: h})
}

func (e cliEnv) serve(args []string) error {
	fs := e.newFlagSet("serve")
	cfg, err := e.parse(fs, true, args)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, e.stderr)

	d, err := e.openDB(cfg, logger, false)
	if err != nil {
		return err
	}
	defer d.Close()

	status, err := d.MigrationStatus(e.ctx)
	if err != nil {
		return err
	}
	if !status.Current() {
		if !cfg.Migrate {
			return errors.New("the database is not migrated and SESAME_MIGRATE / --migrate is false; run `sesame migrate` first")
		}
		applied, err := d.Migrate(e.ctx)
		if err != nil {
			return err
		}
		logger.Info("migrated database", "applied", strings.Join(applied, ","))
	}

	tenantService := tenants.NewService(d, cfg.BaseDomain)
	if _, err := tenantService.EnsureAdmin(e.ctx); err != nil {
		return err
	}
	demoLink := ""
	if cfg.Demo {
		t, created, err := tenantService.Ensure(e.ctx, demoSlug, "Demo")
		if err != nil {
			return fmt.Errorf("create demo tenant: %w", err)
		}
		if created {
			logger.Info("created demo tenant", "tenant", t.Slug)
		}
		// A fresh one-time link for the demo's administrator on every start.
		_, err = tenantService.EnsureAdmin(e.ctx)
		if err != nil {
			return err
		}
		// The demo administrator is a platform owner: the demo shows the
		// whole console, creating tenants included.
		demoLink, err = createAdmin(e.ctx, d, tenantService, demoAdmin, db.PlatformRoleOwner, []string{demoSlug}, false, time.Now())
		if err != nil {
			demoLink, err = createAdmin(e.ctx, d, tenantService, demoAdmin, db.PlatformRoleOwner, []string{demoSlug}, true, time.Now())
		}
		if err != nil {
			return fmt.Errorf("demo administrator: %w", err)
		}
	}

	// Each tenant's codes go through the providers in its settings. The
	// default provider, outbox, is the development outbox, readable at
	// /dev/outbox; a production server has none, so a tenant that has not
	// configured Twilio or SMTP gets its codes refused with a log line
	// naming the setting.
	var outbox *delivery.Outbox
	if cfg.Env == "development" {
		outbox = delivery.NewOutbox(delivery.OutboxConfig{Logger: logger})
	}
	senders, err := app.NewSenders(d, app.SendersConfig{Outbox: outbox})
	if err != nil {
		return err
	}
	jobClient, err := jobs.NewClient(d, jobs.Config{
		FetchPollInterval: cfg.JobPollInterval,
		Logger:            logger,
		Senders:           senders,
	})
	if err != nil {
		return err
	}
	kek, err := keyEncryptionKey(cfg, logger)
	if err != nil {
		return err
	}
	appCfg := app.Config{
		BaseDomain: cfg.BaseDomain, Logger: logger, Jobs: jobClient, KeyEncryptionKey: kek,
		CaptchaScriptOrigin: cfg.CaptchaScriptOrigin, CaptchaVerifyOrigin: cfg.CaptchaVerifyOrigin,
		Development: cfg.Env == "development", Senders: senders,
	}
	appCfg.Outbox = outbox
	a, err := app.New(d, appCfg)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("SESAME_LISTEN / --listen: cannot listen on %s: %w", cfg.Listen, err)
	}
	// River stops hard when its start context ends; the signal context
	// must instead lead to the graceful Stop in OnShutdown.
	if err := jobClient.Start(context.WithoutCancel(e.ctx)); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start job client: %w", err)
	}

	printURLs(e.stdout, cfg, ln.Addr().String(), demoLink)
	logger.Info("serving", "listen", ln.Addr().String(), "base_domain", cfg.BaseDomain, "env", cfg.Env, "database", string(d.Dialect()))

	srv := &server.Server{
		Handler:         a.Handler,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          logger,
		OnShutdown: []func(ctx context.Context) error{
			func(ctx context.Context) error {
				if err := jobClient.Stop(ctx); err != nil {
					return fmt.Errorf("stop job client: %w", err)
				}
				return nil
			},
		},
	}
	return srv.Serve(e.ctx, ln)
}

func printURLs(w io.Writer, cfg Config, addr, demoLink string) {
	fmt.Fprintf(w, "Sesame is listening on %s\n", addr)
	fmt.Fprintf(w, "  admin console: http://%s.%s/console\n", tenants.AdminSlug, cfg.BaseDomain)
	if cfg.Demo {
		fmt.Fprintf(w, "  demo tenant:   http://%s.%s\n", demoSlug, cfg.BaseDomain)
		fmt.Fprintf(w, "  demo administrator %s: set up a passkey once at %s\n", demoAdmin, demoLink)
	}
}
