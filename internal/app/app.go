// Package app assembles Sesame's HTTP handler from its parts, so that the
// binary and the tests that run the whole server build it the same way.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/web"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// Config is what the handler needs besides the database.
type Config struct {
	// BaseDomain is where tenants live: {slug}.{BaseDomain}.
	BaseDomain string
	// Clock tells the time. Default: the wall clock.
	Clock clock.Clock
	// Logger receives request logs. Default: discard.
	Logger *slog.Logger
	// Jobs is the River client the flows enqueue code jobs with. Without
	// it, sending a code fails.
	Jobs *jobs.Client
	// Senders are the tenants' providers, for the console's test
	// messages (the code jobs have their own).
	Senders jobs.Senders
	// Outbox, in development, is the outbox the code jobs deliver to; the
	// console shows it to administrators, each the codes of the tenants
	// they manage (the base domain's /dev/outbox leads there). Nil in
	// production.
	Outbox *delivery.Outbox
	// Development turns on what only developers may see: GraphQL
	// introspection.
	Development bool
	// CaptchaScriptOrigin, when set, replaces the scheme and host of the
	// CAPTCHA providers' widget scripts the sign-in pages load, and
	// CaptchaVerifyOrigin those of their siteverify APIs, keeping the
	// providers' paths: for a self-hosted mirror, or a fake in tests.
	// Default "": the providers' own.
	CaptchaScriptOrigin string
	CaptchaVerifyOrigin string
	// KeyEncryptionKey (32 bytes) seals the tenants' OpenID Provider
	// signing keys. Default: a random key for this process only (tests);
	// sesame serve always passes the configured one.
	KeyEncryptionKey []byte
}

// App is the assembled server.
type App struct {
	Handler  http.Handler
	Tenants  *tenants.Service
	Passkeys *passkey.Service
	// Provider is the tenants' OpenID Provider.
	Provider *provider.Provider
}

// New builds the handler: request ids, access log, health probes, then
// routing by host to the admin console, a tenant's pages, or a 404.
func New(d *db.DB, cfg Config) (*App, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	logger := cfg.Logger
	pages, err := console.New(logger)
	if err != nil {
		return nil, err
	}
	ts := tenants.NewService(d, cfg.BaseDomain)
	pk := passkey.NewService(ts, cfg.Clock, logger)
	wd := web.Deps{
		DB: d, Tenants: ts, Passkeys: pk, Pages: pages, Clock: cfg.Clock, Logger: logger,
		Captcha:             captcha.NewVerifier(captcha.VerifierConfig{Endpoints: captcha.EndpointsAt(cfg.CaptchaVerifyOrigin)}),
		CaptchaScriptOrigin: cfg.CaptchaScriptOrigin,
	}
	fd := flows.Deps{DB: d, Passkeys: pk, Clock: cfg.Clock, Logger: logger, Captcha: wd.Captcha}
	if cfg.Jobs != nil {
		wd.Jobs = cfg.Jobs
		fd.Jobs = cfg.Jobs
	}
	gql, err := graph.NewHandler(graph.Deps{
		DB: d, Tenants: ts, Passkeys: pk, Flows: fd, Clock: cfg.Clock, Logger: logger,
		Development: cfg.Development, SessionCookie: web.SessionCookieName(ts.Scheme() == "https"), Senders: cfg.Senders,
	})
	if err != nil {
		return nil, err
	}
	wd.GraphQL = gql
	tenantPages, err := web.New(wd)
	if err != nil {
		return nil, err
	}
	prov, err := newProvider(d, cfg, ts, pages, tenantPages)
	if err != nil {
		return nil, err
	}
	router := &tenants.Router{
		Tenants:  ts,
		Base:     pages.AdminHome(adminView(cfg, ts)),
		Tenant:   prov,
		Admin:    web.NewAdmin(tenantPages, gql, cfg.Development, outboxOf(cfg)),
		NotFound: pages.UnknownHost(),
		Logger:   logger,
	}
	ready := func(ctx context.Context) error {
		status, err := d.MigrationStatus(ctx)
		if err != nil {
			logger.WarnContext(ctx, "not ready: database unreachable", "err", err)
			return err
		}
		if !status.Current() {
			logger.WarnContext(ctx, "not ready: database not migrated")
			return errors.New("database not migrated")
		}
		return nil
	}
	h := server.WithRequestID(server.AccessLog(logger, server.Health(ready, router)))
	return &App{Handler: h, Tenants: ts, Passkeys: pk, Provider: prov}, nil
}

// adminView is the base host's home. In development its /dev/outbox leads
// to the admin host's outbox page: the base host has no session, and the
// outbox holds every tenant's codes, so it is shown only to a signed-in
// administrator, and only the codes of the tenants they manage.
func adminView(cfg Config, ts *tenants.Service) console.AdminHomeView {
	v := console.AdminHomeView{BaseDomain: cfg.BaseDomain}
	if outboxOf(cfg) != nil {
		v.OutboxURL = ts.Scheme() + "://" + tenants.AdminSlug + "." + ts.BaseDomain() + "/dev/outbox"
	}
	return v
}

// outboxOf returns the development outbox as the console lists it, or nil.
func outboxOf(cfg Config) web.Outbox {
	if cfg.Outbox == nil || !cfg.Development {
		return nil
	}
	return cfg.Outbox
}
