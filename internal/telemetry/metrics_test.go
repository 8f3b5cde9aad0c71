package telemetry_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	dto "github.com/prometheus/client_model/go"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// TestMetrics_ScrapeAfterSignInAnErrorAndAJob scrapes the metrics listener
// after a sign-up (whose email code is a job), a passkey sign-in, a refused
// step and a request on an unknown host, and checks each named series with
// its labels and plausible values.
func TestMetrics_ScrapeAfterSignInAnErrorAndAJob(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{Metrics: true})
			srv.CreateTenant(t, "acme", "Acme")
			dev := newDevice(srv, "acme")
			newClient(t, srv, "acme").signUp(dev, "ana@example.com")
			c := newClient(t, srv, "acme")
			c.signInWithPasskey(dev)

			// A finish without a flow is refused with a catalogue code.
			r := c.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": map[string]any{}}, map[string]string{"X-Sesame-Flow": "no-such-flow"})
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			code := errorCodeOf(t, r)
			// A host that is no tenant's, on a path no pattern knows.
			unknown := newClient(t, srv, "nosuchtenant")
			require.Equal(t, http.StatusNotFound, unknown.do(http.MethodGet, unknown.origin+"/some/raw/path", nil, nil).status)
			// A job waiting for later, for the queue depth.
			_, err := srv.App.Jobs.Insert(context.Background(), jobs.EmailCodeArgs{TenantID: uuid.New(), CodeID: uuid.New()}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
			require.NoError(t, err)

			var families = scrape(t, srv.MetricsURL)
			require.Eventually(t, func() bool {
				families = scrape(t, srv.MetricsURL)
				return sumCount(series(families, "sesame_job_duration_seconds", map[string]string{"kind": "email_code", "result": "ok"})) >= 1
			}, 10*time.Second, 50*time.Millisecond, "the email code job is timed")

			// Requests by host kind, route pattern and status code.
			require.ElementsMatch(t, []string{"host", "route", "code"}, labelNames(t, families, "sesame_http_requests_total"), "no tenant label by default")
			step := "POST /api/flows/{kind}/{action}"
			require.GreaterOrEqual(t, sumCounter(series(families, "sesame_http_requests_total", map[string]string{"host": "tenant", "route": step, "code": "200"})), 4.0)
			require.GreaterOrEqual(t, sumCounter(series(families, "sesame_http_requests_total", map[string]string{"host": "tenant", "route": "POST /api/flows/{kind}", "code": "201"})), 2.0)
			require.Equal(t, 1.0, sumCounter(series(families, "sesame_http_requests_total", map[string]string{"host": "tenant", "route": step, "code": "400"})))
			require.Equal(t, 1.0, sumCounter(series(families, "sesame_http_requests_total", map[string]string{"host": "unknown", "route": "unmatched", "code": "404"})))
			for _, m := range families["sesame_http_requests_total"].GetMetric() {
				for _, l := range m.GetLabel() {
					require.NotContains(t, l.GetValue(), "sign-in", "a route is a pattern, never a raw path")
					require.NotContains(t, l.GetValue(), "/some/raw/path")
				}
			}
			latency := series(families, "sesame_http_request_duration_seconds", map[string]string{"host": "tenant", "route": step})
			require.GreaterOrEqual(t, sumCount(latency), uint64(5))
			require.Greater(t, latency[0].GetHistogram().GetSampleSum(), 0.0)
			require.Less(t, latency[0].GetHistogram().GetSampleSum(), 60.0)

			// Sign-ins by method and result; step errors by code.
			require.Equal(t, 1.0, sumCounter(series(families, "sesame_sign_ins_total", map[string]string{"method": "passkey", "result": "success"})))
			require.Equal(t, 1.0, sumCounter(series(families, "sesame_sign_ins_total", map[string]string{"method": "passkey", "result": "failure"})))
			require.Equal(t, 1.0, sumCounter(series(families, "sesame_flow_step_errors_total", map[string]string{"kind": "sign_in", "action": "passkey.finish", "code": code})))

			// Jobs: wait and run time by kind, the queue's depth.
			wait := series(families, "sesame_job_wait_seconds", map[string]string{"kind": "email_code"})
			require.GreaterOrEqual(t, sumCount(wait), uint64(1))
			require.Less(t, wait[0].GetHistogram().GetSampleSum(), 30.0)
			require.Equal(t, 1.0, sumGauge(series(families, "sesame_job_queue_depth", map[string]string{"kind": "email_code", "state": "scheduled"})))

			// The database pool, the Go runtime and the process.
			pool := series(families, "go_sql_max_open_connections", map[string]string{"db_name": string(srv.DB.Dialect())})
			require.Len(t, pool, 1)
			require.GreaterOrEqual(t, pool[0].GetGauge().GetValue(), 1.0)
			require.Len(t, series(families, "go_sql_open_connections", nil), 1)
			require.Greater(t, sumGauge(series(families, "go_goroutines", nil)), 1.0)
			require.Greater(t, sumGauge(series(families, "process_resident_memory_bytes", nil)), 0.0)

			// Every series the dashboard plots is one the server serves.
			raw, err := os.ReadFile("dashboard.json")
			require.NoError(t, err)
			names := regexp.MustCompile(`\b(?:sesame|go|process)_[a-z_]+`).FindAllString(string(raw), -1)
			require.NotEmpty(t, names)
			for _, name := range names {
				family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
				require.Contains(t, families, family, "dashboard.json plots %s", name)
			}
		})
	}
}

// TestMetrics_TenantLabelsOnlyWhenAskedFor: with the opt-in, the request
// series carry the tenant's id.
func TestMetrics_TenantLabelsOnlyWhenAskedFor(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Metrics: true, Telemetry: appTelemetry(true)})
	tn := srv.CreateTenant(t, "acme", "Acme")
	c := newClient(t, srv, "acme")
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, c.origin+"/", nil, nil).status)
	families := scrape(t, srv.MetricsURL)
	require.ElementsMatch(t, []string{"host", "route", "code", "tenant"}, labelNames(t, families, "sesame_http_requests_total"))
	require.Equal(t, 1.0, sumCounter(series(families, "sesame_http_requests_total", map[string]string{"host": "tenant", "route": "GET /{$}", "code": "200", "tenant": tn.ID.String()})))
}

// TestMetrics_NotServedOnAnyTenantHost: /metrics is only on its own
// listener; the tenant, admin and base hosts answer it 404 without a
// series, and the listener serves nothing but /metrics.
func TestMetrics_NotServedOnAnyTenantHost(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Metrics: true})
	srv.CreateTenant(t, "acme", "Acme")
	for _, host := range []string{"acme", "admin"} {
		c := newClient(t, srv, host)
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := c.do(method, c.origin+"/metrics", nil, map[string]string{"Origin": c.origin})
			require.NotEqual(t, http.StatusOK, r.status, "%s %s /metrics", method, host)
			require.NotContains(t, string(r.body), "sesame_http_requests_total", host)
			require.NotContains(t, string(r.body), "go_goroutines", host)
		}
	}
	base := newClient(t, srv, "acme")
	r := base.do(http.MethodGet, "http://"+srv.BaseDomain+"/metrics", nil, nil)
	require.NotContains(t, string(r.body), "go_goroutines")

	resp, err := http.Get(strings.TrimSuffix(srv.MetricsURL, "/metrics") + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.NotEmpty(t, scrape(t, srv.MetricsURL)["go_goroutines"])
}

func sumCounter(ms []*dto.Metric) float64 {
	var n float64
	for _, m := range ms {
		n += m.GetCounter().GetValue()
	}
	return n
}

func sumGauge(ms []*dto.Metric) float64 {
	var n float64
	for _, m := range ms {
		n += m.GetGauge().GetValue()
	}
	return n
}

func sumCount(ms []*dto.Metric) uint64 {
	var n uint64
	for _, m := range ms {
		n += m.GetHistogram().GetSampleCount()
	}
	return n
}
