package main

import (
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesame-id/sesame/db"
)

// Config is every setting of the sesame binary. Each is read from its
// command-line flag, else its environment variable, else its default; the
// settings table below is the one source for all three and for the README's
// configuration table.
type Config struct {
	// DatabaseURL selects the database: sqlite:PATH or postgres://...
	// Default sqlite:./data/sesame.db.
	DatabaseURL string

	// Listen is the TCP address to serve HTTP on. Default 127.0.0.1:8080.
	Listen string

	// BaseDomain is the domain tenants are served under, with the port when
	// it is not the scheme's default: tenant acme is at acme.{BaseDomain}.
	// The admin console is at admin.{BaseDomain}; the base domain itself
	// serves a small home page. Default localhost:8080.
	BaseDomain string

	// Env is "development" or "production". Development logs text and
	// enables developer conveniences later issues add; production logs
	// JSON. Default production.
	Env string

	// LogFormat is "text" or "json". Default: text in development, json in
	// production.
	LogFormat string

	// LogLevel is debug, info, warn or error. Default info.
	LogLevel slog.Level

	// Migrate makes serve apply pending migrations on start. Default true.
	Migrate bool

	// Demo makes serve create the "demo" tenant if it does not exist.
	// Default false (make run turns it on).
	Demo bool

	// DemoAppURL is, with Demo, the origin of the demo application
	// (cmd/demo-app) that serve registers in the demo tenant: https, or
	// http on a loopback host. Default http://127.0.0.1:8090.
	DemoAppURL string

	// ShutdownTimeout bounds the graceful shutdown. Default 20s.
	ShutdownTimeout time.Duration

	// DBMaxConns caps PostgreSQL connections per process. Default 20.
	DBMaxConns int

	// JobPollInterval is how often idle job workers look for new jobs.
	// Zero means jobs' default for the engine: 5s on PostgreSQL, whose
	// workers wake when a job commits, 100ms on SQLite, where it bounds a
	// code's delivery latency.
	JobPollInterval time.Duration

	// CaptchaScriptOrigin replaces the scheme and host of the CAPTCHA
	// providers' widget scripts that sign-in pages load (the paths are
	// kept), for a self-hosted mirror or a test fake. Default "": the
	// providers' own (challenges.cloudflare.com, www.google.com,
	// js.hcaptcha.com).
	CaptchaScriptOrigin string

	// CaptchaVerifyOrigin does the same for the providers' siteverify
	// APIs. Default "": the providers' own.
	CaptchaVerifyOrigin string

	// KeyEncryptionKey (32 bytes) seals the tenants' OpenID Provider
	// signing keys. Default: generated on first start and kept in the data
	// folder (key-encryption.key beside the SQLite file, ./data with
	// PostgreSQL). Every server of one database needs the same key.
	KeyEncryptionKey []byte

	// MetricsAddr is the TCP address /metrics is served on, apart from
	// every tenant host. Default "": no metrics listener.
	MetricsAddr string

	// MetricsTenantLabels labels the request, sign-in and step-error
	// series with the tenant's id. Default false (each tenant multiplies
	// those series).
	MetricsTenantLabels bool

	// MetricsProfiles also serves Go's runtime profiles (net/http/pprof)
	// under /debug/pprof/ on the metrics address. Default false.
	MetricsProfiles bool

	// WebhookPrivateAddresses lets webhook deliveries go to loopback and
	// private addresses. Default false (public addresses only, against
	// server-side request forgery); always on with --env development.
	WebhookPrivateAddresses bool

	// DNSServer is the DNS server (host:port, port 53 when none) that
	// answers the TXT lookups proving enterprise connectors' email
	// domains. Default "": the system's resolver.
	DNSServer string
	// TenantInFlight and TotalInFlight bound the requests of one tenant,
	// and of all tenants, served at once (server.Admission); negative is
	// no bound. Default 64 and 256.
	TenantInFlight, TotalInFlight int

	// OTLPEndpoint is the OTLP/HTTP collector traces go to. Default "":
	// traces only when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, else none.
	OTLPEndpoint string
}

// setting describes one configuration value.
type setting struct {
	Flag    string
	Env     string
	Default string
	Help    string
	// serveOnly settings are registered only on `sesame serve`.
	serveOnly bool
	// boolean settings may be given as a bare flag (--demo).
	boolean bool
	apply   func(c *Config, v string) error
}

// settings is the configuration table, in the order the README lists it;
// each setting's parsing and check is its apply function
// (config_apply.go).
func settings() []setting {
	return []setting{
		{Flag: "database-url", Env: "DATABASE_URL", Default: db.DefaultDSN,
			Help:  "database: sqlite:PATH (embedded) or postgres://USER[:PASSWORD]@HOST:PORT/DB",
			apply: applyDatabaseURL},
		{Flag: "listen", Env: "SESAME_LISTEN", Default: "127.0.0.1:8080", serveOnly: true,
			Help:  "TCP address to serve HTTP on (use :8080 to listen on every interface)",
			apply: applyListen},
		{Flag: "base-domain", Env: "SESAME_BASE_DOMAIN", Default: "localhost:8080",
			Help:  "domain tenants are served under ({slug}.BASE); include the port unless it is 80/443",
			apply: applyBaseDomain},
		{Flag: "env", Env: "SESAME_ENV", Default: "production",
			Help:  "development or production",
			apply: applyEnv},
		{Flag: "log-format", Env: "SESAME_LOG_FORMAT", Default: "",
			Help:  "text or json (default: text in development, json in production)",
			apply: applyLogFormat},
		{Flag: "log-level", Env: "SESAME_LOG_LEVEL", Default: "info",
			Help:  "debug, info, warn or error",
			apply: applyLogLevel},
		{Flag: "migrate", Env: "SESAME_MIGRATE", Default: "true", serveOnly: true, boolean: true,
			Help:  "apply pending database migrations on start",
			apply: applyMigrate},
		{Flag: "demo", Env: "SESAME_DEMO", Default: "false", serveOnly: true, boolean: true,
			Help:  "create the demo tenant on start if it is missing",
			apply: applyDemo},
		{Flag: "demo-app-url", Env: "SESAME_DEMO_APP_URL", Default: "http://127.0.0.1:8090", serveOnly: true,
			Help:  "with --demo, the origin of the demo app (cmd/demo-app) registered in the demo tenant",
			apply: applyDemoAppURL},
		{Flag: "shutdown-timeout", Env: "SESAME_SHUTDOWN_TIMEOUT", Default: "20s", serveOnly: true,
			Help:  "how long in-flight requests and jobs may take to finish on shutdown",
			apply: applyShutdownTimeout},
		{Flag: "db-max-conns", Env: "SESAME_DB_MAX_CONNS", Default: "20",
			Help:  "most PostgreSQL connections per process (SQLite always uses one)",
			apply: applyDBMaxConns},
		{Flag: "job-poll-interval", Env: "SESAME_JOB_POLL_INTERVAL", Default: "", serveOnly: true,
			Help:  "how often idle job workers look for new jobs (at least 25ms); default 5s on PostgreSQL, which wakes them when a job commits, 100ms on SQLite",
			apply: applyJobPollInterval},
		{Flag: "captcha-script-origin", Env: "SESAME_CAPTCHA_SCRIPT_ORIGIN", Default: "", serveOnly: true,
			Help:  "origin that serves the CAPTCHA widget scripts at the providers' paths (a mirror or a test fake); default the providers' own",
			apply: applyCaptchaScriptOrigin},
		{Flag: "captcha-verify-origin", Env: "SESAME_CAPTCHA_VERIFY_ORIGIN", Default: "", serveOnly: true,
			Help:  "origin that serves the CAPTCHA siteverify APIs at the providers' paths (a mirror or a test fake); default the providers' own",
			apply: applyCaptchaVerifyOrigin},
		{Flag: "key-encryption-key", Env: "SESAME_KEY_ENCRYPTION_KEY", Default: "", serveOnly: true,
			Help:  "32 random bytes in base64 that seal the tenants' token signing keys; default: generated on first start into key-encryption.key in the data folder",
			apply: applyKeyEncryptionKey},
		{Flag: "metrics-addr", Env: "SESAME_METRICS_ADDR", Default: "", serveOnly: true,
			Help:  "TCP address to serve /metrics on (Prometheus format), apart from the tenant hosts; default none",
			apply: applyMetricsAddr},
		{Flag: "metrics-tenant-labels", Env: "SESAME_METRICS_TENANT_LABELS", Default: "false", serveOnly: true, boolean: true,
			Help:  "label request, sign-in and step-error series with the tenant id (for a few tenants only)",
			apply: applyMetricsTenantLabels},
		{Flag: "metrics-profiles", Env: "SESAME_METRICS_PROFILES", Default: "false", serveOnly: true, boolean: true,
			Help:  "also serve Go's CPU, heap and goroutine profiles under /debug/pprof/ on the metrics address",
			apply: applyMetricsProfiles},
		{Flag: "webhook-private-addresses", Env: "SESAME_WEBHOOK_PRIVATE_ADDRESSES", Default: "false", serveOnly: true, boolean: true,
			Help:  "let tenants' webhooks post to loopback and private addresses (always on with --env development)",
			apply: applyWebhookPrivateAddresses},
		{Flag: "dns-server", Env: "SESAME_DNS_SERVER", Default: "",
			Help:  "DNS server (host:port) asked for the TXT records that prove enterprise connectors' email domains; default the system's resolver",
			apply: applyDNSServer},
		{Flag: "tenant-max-inflight", Env: "SESAME_TENANT_MAX_INFLIGHT", Default: "64", serveOnly: true,
			Help:  "most requests of one tenant served at once; more are refused 429 with Retry-After (-1: no bound)",
			apply: applyTenantInFlight},
		{Flag: "max-inflight", Env: "SESAME_MAX_INFLIGHT", Default: "256", serveOnly: true,
			Help:  "most requests of all tenants served at once; more are refused 503 with Retry-After (-1: no bound)",
			apply: applyTotalInFlight},
		{Flag: "otlp-endpoint", Env: "SESAME_OTLP_ENDPOINT", Default: "", serveOnly: true,
			Help:  "OTLP/HTTP collector URL for traces (such as http://127.0.0.1:4318); default none, unless OTEL_EXPORTER_OTLP_ENDPOINT is set",
			apply: applyOTLPEndpoint},
	}
}

// configFlags registers the settings on fs (serve-only ones only when
// serve is true) and returns a function that, after fs.Parse, resolves every
// setting from flag, environment or default.
func configFlags(fs *flag.FlagSet, serve bool) func(getenv func(string) string) (Config, error) {
	table := settings()
	values := make(map[string]*flagValue)
	for _, s := range table {
		if s.serveOnly && !serve {
			continue
		}
		v := &flagValue{boolean: s.boolean}
		values[s.Flag] = v
		fs.Var(v, s.Flag, fmt.Sprintf("%s (env %s, default %q)", s.Help, s.Env, s.Default))
	}
	return func(getenv func(string) string) (Config, error) {
		set := make(map[string]bool)
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		var c Config
		for _, s := range table {
			v, source := s.Default, "the default"
			if env := getenv(s.Env); env != "" {
				v, source = env, "the environment"
			}
			if p, ok := values[s.Flag]; ok && set[s.Flag] {
				v, source = p.value, "the command line"
			}
			if err := s.apply(&c, v); err != nil {
				return Config{}, fmt.Errorf("%s / --%s: %w (value from %s)", s.Env, s.Flag, err, source)
			}
		}
		if c.LogFormat == "" {
			c.LogFormat = "json"
			if c.Env == "development" {
				c.LogFormat = "text"
			}
		}
		return c, nil
	}
}

// flagValue holds a flag's raw text until the settings table parses it; a
// boolean one may be given bare.
type flagValue struct {
	value   string
	boolean bool
}

func (f *flagValue) String() string     { return f.value }
func (f *flagValue) Set(v string) error { f.value = v; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.boolean }
