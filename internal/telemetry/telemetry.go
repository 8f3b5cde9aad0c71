// Package telemetry is Sesame's metrics and traces: one Telemetry per
// server (app.Build makes it), holding its own Prometheus registry, so two
// servers in one process (parallel tests) never share a series, and an
// OpenTelemetry tracer that is off unless a tracer provider is given.
//
// What it measures, and where each hook sits:
//
//   - HTTP requests, by host kind, route pattern and status code (HTTP, the
//     outermost middleware, and Route around each host's handler, which
//     reads the pattern the inner http.ServeMux matched);
//   - flow steps: sign-ins by method and result, step errors by catalogue
//     code (the flows.StepObserver every flows.Engine built from
//     flows.Deps calls);
//   - jobs: wait before start and run time by kind (a River worker
//     middleware, JobMiddleware), queue depth by kind and state (read from
//     the database at scrape time);
//   - the database pool (sql.DBStats) and the Go runtime and process.
//
// Labels are bounded: routes are patterns, never raw paths (a request no
// pattern matched is "unmatched"); kinds, actions, methods and codes come
// from Sesame's own tables. Tenant ids are labels only when
// Options.TenantLabels asks (small deployments).
//
// Traces carry no personal data or secrets: span attributes are route
// patterns, flow kinds and actions, catalogue codes, job kinds and ids,
// SQL operations and table names, never a query's text or values, an
// identifier, a token or an error's message.
package telemetry

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
)

// Options tune New. The zero value is metrics without tenant labels and no
// traces.
type Options struct {
	// TracerProvider makes the spans. Default nil: no traces (and no span
	// work on any path).
	TracerProvider trace.TracerProvider
	// TenantLabels adds a tenant label (the tenant's id) to the request,
	// sign-in and step-error series. Every tenant multiplies those series,
	// so it suits deployments of a few tenants only. Default false.
	TenantLabels bool
	// KnownPaths are exact paths served by handlers that match no
	// http.ServeMux pattern (the OpenID Provider's endpoints, the health
	// probes): such a request is labelled by its path, any other unmatched
	// one "unmatched".
	KnownPaths []string
}

// Telemetry is one server's metrics registry and tracer.
type Telemetry struct {
	reg          *prometheus.Registry
	tracer       trace.Tracer
	tenantLabels bool
	knownPaths   map[string]string

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	signIns      *prometheus.CounterVec
	stepErrors   *prometheus.CounterVec
	jobWait      *prometheus.HistogramVec
	jobDuration  *prometheus.HistogramVec
}

// New makes a Telemetry with a fresh registry holding Sesame's series and
// the Go runtime and process collectors.
func New(o Options) *Telemetry {
	t := &Telemetry{reg: prometheus.NewRegistry(), tenantLabels: o.TenantLabels, knownPaths: map[string]string{}}
	if o.TracerProvider != nil {
		t.tracer = o.TracerProvider.Tracer("github.com/sesame-id/sesame")
	}
	for _, p := range o.KnownPaths {
		t.knownPaths[p] = p
	}
	withTenant := func(labels ...string) []string {
		if o.TenantLabels {
			return append(labels, "tenant")
		}
		return labels
	}
	t.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sesame_http_requests_total", Help: "HTTP requests answered, by host kind, route pattern and status code.",
	}, withTenant("host", "route", "code"))
	t.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sesame_http_request_duration_seconds", Help: "Time to answer an HTTP request, by host kind and route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"host", "route"})
	t.signIns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sesame_sign_ins_total", Help: "Sign-in attempts by method and result (success, second_factor, failure, other).",
	}, withTenant("method", "result"))
	t.stepErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sesame_flow_step_errors_total", Help: "Flow steps that ended in an error, by flow kind, action and catalogue code.",
	}, withTenant("kind", "action", "code"))
	t.jobWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sesame_job_wait_seconds", Help: "Time from when a job was due to when a worker started it, by kind.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"kind"})
	t.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sesame_job_duration_seconds", Help: "Time a job ran, by kind and result (ok, error).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"kind", "result"})
	t.reg.MustRegister(t.httpRequests, t.httpDuration, t.signIns, t.stepErrors, t.jobWait, t.jobDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return t
}

// Registry is the server's own registry.
func (t *Telemetry) Registry() *prometheus.Registry { return t.reg }

// Tracing says whether spans are made.
func (t *Telemetry) Tracing() bool { return t.tracer != nil }

// Handler serves GET /metrics in the Prometheus text format and 404 for
// anything else. It is meant for its own listen address (--metrics-addr),
// never for a tenant host.
func (t *Telemetry) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{Registry: t.reg}))
	return mux
}
