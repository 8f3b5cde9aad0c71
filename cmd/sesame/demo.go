package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/demo"
	"github.com/sesame-id/sesame/tenants"
)

// demoSlug is the tenant `serve --demo` (and so `make run`) makes.
const demoSlug = "demo"

// demoAdmin is the demo's console administrator, a platform owner and an
// owner of the demo tenant; `serve --demo` prints a new setup link for it on every start.
const demoAdmin = "admin@demo.example"

// setUpDemo, with --demo, ensures the demo tenant (made with
// demo.TenantSettings) and the demo app's registration in it, and returns
// a fresh one-time setup link for the demo's administrator, made on every
// start. The administrator is a platform owner: the demo shows the whole
// console, creating tenants included. Without --demo it returns "".
func setUpDemo(ctx context.Context, d *db.DB, ts *tenants.Service, cfg Config, logger *slog.Logger, now time.Time) (string, error) {
	if !cfg.Demo {
		return "", nil
	}
	t, created, err := ts.Ensure(ctx, demoSlug, "Demo")
	if err != nil {
		return "", fmt.Errorf("create demo tenant: %w", err)
	}
	if created {
		if t, err = ts.UpdateSettings(ctx, t, demo.TenantSettings(t.Settings), false); err != nil {
			return "", fmt.Errorf("set up demo tenant: %w", err)
		}
		logger.Info("created demo tenant", "tenant", t.Slug)
	}
	if err := setUpDemoApp(ctx, d, ts, t, cfg, logger, now); err != nil {
		return "", err
	}
	link, err := createAdmin(ctx, d, ts, demoAdmin, db.PlatformRoleOwner, []string{demoSlug}, false, now)
	if err != nil {
		link, err = createAdmin(ctx, d, ts, demoAdmin, db.PlatformRoleOwner, []string{demoSlug}, true, now)
	}
	if err != nil {
		return "", fmt.Errorf("demo administrator: %w", err)
	}
	return link, nil
}

// setUpDemoApp registers the demo app (cmd/demo-app, at cfg.DemoAppURL) in
// the demo tenant and writes its credentials to demo.ClientFileName in the
// data folder, where the demo app reads them; a second start changes
// nothing.
func setUpDemoApp(ctx context.Context, d *db.DB, ts *tenants.Service, t *tenants.Tenant, cfg Config, logger *slog.Logger, now time.Time) error {
	path := filepath.Join(dataFolder(cfg.DatabaseURL), demo.ClientFileName)
	outcome, err := demo.EnsureApp(ctx, d.ForTenant(t.ID), demo.Registration{
		Issuer: ts.Origin(t), Origin: cfg.DemoAppURL, ClientFile: path,
	}, now)
	if err != nil {
		return fmt.Errorf("demo app: %w", err)
	}
	if outcome != demo.Unchanged {
		logger.Info("registered the demo app", "tenant", t.Slug, "origin", cfg.DemoAppURL, "client_file", path, "outcome", string(outcome))
	}
	return nil
}
