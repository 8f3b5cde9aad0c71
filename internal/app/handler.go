package app

import (
	"context"
	"errors"
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/web"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/admin"
	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/internal/telemetry"
	"github.com/sesame-id/sesame/tenants"
)

// handler builds the HTTP side: the flows' shared dependencies (once, for
// the hosted pages and GraphQL alike), the GraphQL endpoint, the tenant
// host, the admin host around it, and the chain every request passes:
// request id → metrics and request span → access log → health probes →
// tenants.Router, whose hosts tell the metrics their route patterns, each
// tenant host behind the admission limiter (server.Admission).
func handler(cfg Config, a *App) (http.Handler, error) {
	logger := cfg.Logger
	pages, err := console.New(logger)
	if err != nil {
		return nil, err
	}
	fd := flows.Deps{
		DB: cfg.DB, Passkeys: a.Passkeys, Clock: cfg.Clock, Logger: logger, Jobs: a.Jobs, Observer: a.Telemetry,
		Captcha:      captcha.NewVerifier(captcha.VerifierConfig{Endpoints: captcha.EndpointsAt(cfg.CaptchaVerifyOrigin)}),
		AuthRequests: provider.NewSignIns(a.kek),
		Devices:      flows.NewDevices(a.kek),
	}
	a.remover.svc = account.New(fd)
	gql, err := graph.NewHandler(graph.Deps{
		DB: cfg.DB, Tenants: a.Tenants, Passkeys: a.Passkeys, Flows: fd, Clock: cfg.Clock, Logger: logger,
		Development: cfg.Development, SessionCookie: web.SessionCookieName(a.Tenants.Scheme() == "https"), Senders: a.Senders,
		KeyEncryptionKey: a.kek, DNSResolver: federation.NewResolver(cfg.DNSServer),
	})
	if err != nil {
		return nil, err
	}
	tenantHost, err := web.New(web.Deps{
		Deps: fd, Tenants: a.Tenants, Pages: pages, GraphQL: gql, CaptchaScriptOrigin: cfg.CaptchaScriptOrigin,
		KeyEncryptionKey: a.kek,
	})
	if err != nil {
		return nil, err
	}
	tm := a.Telemetry
	if a.Provider, err = newProvider(cfg.DB, cfg, a, pages, tm.Route(telemetry.HostTenant, tenantHost)); err != nil {
		return nil, err
	}
	// One admission limiter for both tenant-serving hosts, inside the
	// router (which names the tenant) and outside everything that runs a
	// statement.
	admit := server.NewAdmission(cfg.Admission, logger).Handler
	router := &tenants.Router{
		Tenants:  a.Tenants,
		Base:     tm.Route(telemetry.HostBase, pages.AdminHome(adminView(cfg, a.Tenants))),
		Tenant:   admit(tm.Route(telemetry.HostTenant, a.Provider)),
		Admin:    admit(tm.Route(telemetry.HostAdmin, admin.New(tenantHost, gql, cfg.Development, outboxOf(cfg)))),
		NotFound: tm.Route(telemetry.HostUnknown, pages.UnknownHost()),
		Logger:   logger,
	}
	return server.WithRequestID(tm.HTTP(server.AccessLog(logger, server.Health(ready(cfg), router)))), nil
}

// ready is the readiness probe: the database answers and is migrated.
func ready(cfg Config) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		status, err := cfg.DB.MigrationStatus(ctx)
		if err != nil {
			cfg.Logger.WarnContext(ctx, "not ready: database unreachable", "err", err)
			return err
		}
		if !status.Current() {
			cfg.Logger.WarnContext(ctx, "not ready: database not migrated")
			return errors.New("database not migrated")
		}
		return nil
	}
}

// adminView is the base host's home. In development its /dev/outbox leads
// to the admin host's outbox page: the base host has no session, and the
// outbox holds every tenant's codes, so it is shown only to a signed-in
// administrator, and only the codes of the tenants they manage.
func adminView(cfg Config, ts *tenants.Service) console.AdminHomeView {
	v := console.AdminHomeView{
		BaseDomain: ts.BaseDomain(),
		Scheme:     ts.Scheme(),
		ConsoleURL: ts.Scheme() + "://" + tenants.AdminSlug + "." + ts.BaseDomain() + "/console",
	}
	if cfg.DemoSlug != "" {
		v.DemoURL = func(ctx context.Context) string {
			t, err := ts.BySlug(ctx, cfg.DemoSlug)
			if err != nil {
				return ""
			}
			return ts.Scheme() + "://" + ts.Host(t)
		}
	}
	if outboxOf(cfg) != nil {
		v.OutboxURL = ts.Scheme() + "://" + tenants.AdminSlug + "." + ts.BaseDomain() + "/dev/outbox"
	}
	return v
}

// outboxOf returns the development outbox as the console lists it, or nil.
func outboxOf(cfg Config) admin.Outbox {
	if cfg.Delivery.Outbox == nil || !cfg.Development {
		return nil
	}
	return cfg.Delivery.Outbox
}
