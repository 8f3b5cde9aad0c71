package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/internal/demo"
)

// The apply functions of the settings table: each parses one setting's
// text, checks it, and sets its field of Config.

// applyDatabaseURL sets --database-url.
func applyDatabaseURL(c *Config, v string) error {
	if !strings.HasPrefix(v, "sqlite:") && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		scheme, _, _ := strings.Cut(v, ":")
		return fmt.Errorf("scheme %q is not supported; use sqlite:PATH or postgres://USER@HOST:5432/DBNAME", scheme)
	}
	c.DatabaseURL = v
	return nil
}

// applyListen sets --listen.
func applyListen(c *Config, v string) error {
	if _, _, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("%q is not HOST:PORT", v)
	}
	c.Listen = v
	return nil
}

// applyBaseDomain sets --base-domain.
func applyBaseDomain(c *Config, v string) error {
	if err := validateBaseDomain(v); err != nil {
		return err
	}
	c.BaseDomain = strings.ToLower(v)
	return nil
}

// applyEnv sets --env.
func applyEnv(c *Config, v string) error {
	if v != "development" && v != "production" {
		return fmt.Errorf("%q is neither development nor production", v)
	}
	c.Env = v
	return nil
}

// applyLogFormat sets --log-format.
func applyLogFormat(c *Config, v string) error {
	if v != "" && v != "text" && v != "json" {
		return fmt.Errorf("%q is neither text nor json", v)
	}
	c.LogFormat = v
	return nil
}

// applyLogLevel sets --log-level.
func applyLogLevel(c *Config, v string) error {
	return c.LogLevel.UnmarshalText([]byte(v))
}

// applyMigrate sets --migrate.
func applyMigrate(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	c.Migrate = b
	return err
}

// applyDemo sets --demo.
func applyDemo(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	c.Demo = b
	return err
}

// applyShutdownTimeout sets --shutdown-timeout.
func applyShutdownTimeout(c *Config, v string) error {
	d, err := parsePositiveDuration(v)
	c.ShutdownTimeout = d
	return err
}

// applyDBMaxConns sets --db-max-conns.
func applyDBMaxConns(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 {
		return fmt.Errorf("%q is not a whole number of at least 2", v)
	}
	c.DBMaxConns = n
	return nil
}

// applyJobPollInterval sets --job-poll-interval; empty leaves the
// engine's default.
func applyJobPollInterval(c *Config, v string) error {
	if v == "" {
		return nil
	}
	d, err := parsePositiveDuration(v)
	if err == nil && d < 25*time.Millisecond {
		err = fmt.Errorf("%s is below the 25ms minimum", d)
	}
	c.JobPollInterval = d
	return err
}

// applyDemoAppURL sets --demo-app-url: an origin (no path, query or
// fragment) whose /callback is a redirect URI a web application may have.
func applyDemoAppURL(c *Config, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an origin such as http://127.0.0.1:8090", v)
	}
	origin := u.Scheme + "://" + u.Host
	if err := apps.CheckRedirectURI(apps.TypeWeb, origin+demo.CallbackPath); err != nil {
		return fmt.Errorf("%q: use https, or http on a loopback host such as 127.0.0.1", v)
	}
	c.DemoAppURL = origin
	return nil
}

// applyCaptchaScriptOrigin sets --captcha-script-origin.
func applyCaptchaScriptOrigin(c *Config, v string) error {
	c.CaptchaScriptOrigin = v
	return captcha.ValidateOrigin(v)
}

// applyCaptchaVerifyOrigin sets --captcha-verify-origin.
func applyCaptchaVerifyOrigin(c *Config, v string) error {
	c.CaptchaVerifyOrigin = v
	return captcha.ValidateOrigin(v)
}

// applyDNSServer sets --dns-server: a host or host:port.
func applyDNSServer(c *Config, v string) error {
	c.DNSServer = v
	if v == "" {
		return nil
	}
	host := v
	if h, port, err := net.SplitHostPort(v); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: the port must be a number from 1 to 65535", v)
		}
		host = h
	}
	if host == "" || strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("%q: give a host or host:port, such as 127.0.0.1:53", v)
	}
	return nil
}

// parsePositiveDuration parses a duration such as 20s that must be above
// zero.
func parsePositiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 20s or 500ms", v)
	}
	return d, nil
}

// validateBaseDomain checks a base domain is a bare host (with an optional
// port), not an IP address: tenants need {slug}.DOMAIN to resolve.
func validateBaseDomain(v string) error {
	if v == "" {
		return errors.New("is empty")
	}
	if strings.Contains(v, "://") || strings.ContainsAny(v, "/?#@ ") {
		return fmt.Errorf("%q must be a bare host such as localhost:8080 or id.example.com (no scheme or path)", v)
	}
	host := v
	if h, port, err := net.SplitHostPort(v); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q has a bad port", v)
		}
		host = h
	}
	if net.ParseIP(host) != nil {
		return fmt.Errorf("%q is an IP address; tenants need a domain under which {slug}.DOMAIN resolves (localhost works locally)", v)
	}
	return nil
}

// applyKeyEncryptionKey reads the key that seals the tenants' signing
// keys; empty leaves it to serve, which generates one into the data folder.
func applyKeyEncryptionKey(c *Config, v string) error {
	if v == "" {
		return nil
	}
	k, err := parseKeyEncryptionKey(v)
	c.KeyEncryptionKey = k
	return err
}

// applyMetricsAddr sets --metrics-addr; empty serves no metrics.
func applyMetricsAddr(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("%q is not HOST:PORT", v)
	}
	c.MetricsAddr = v
	return nil
}

// applyMetricsTenantLabels sets --metrics-tenant-labels.
func applyMetricsTenantLabels(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	c.MetricsTenantLabels = b
	return err
}

// applyMetricsProfiles sets --metrics-profiles.
func applyMetricsProfiles(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	c.MetricsProfiles = b
	return err
}

// applyOTLPEndpoint sets --otlp-endpoint: an http or https URL.
func applyOTLPEndpoint(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not a URL such as http://127.0.0.1:4318", v)
	}
	c.OTLPEndpoint = v
	return nil
}

// applyWebhookPrivateAddresses sets --webhook-private-addresses.
func applyWebhookPrivateAddresses(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	c.WebhookPrivateAddresses = b
	return err
}

// applyTenantInFlight sets --tenant-max-inflight.
func applyTenantInFlight(c *Config, v string) (err error) {
	c.TenantInFlight, err = inFlightBound(v)
	return err
}

// applyTotalInFlight sets --max-inflight.
func applyTotalInFlight(c *Config, v string) (err error) {
	c.TotalInFlight, err = inFlightBound(v)
	return err
}

// inFlightBound reads a bound of requests in flight: a positive whole
// number, or -1 for none.
func inFlightBound(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n == 0 || n < -1 {
		return 0, fmt.Errorf("%q is not a positive whole number (or -1 for no bound)", v)
	}
	return n, nil
}
