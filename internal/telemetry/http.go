package telemetry

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-id/sesame/tenants"
)

// The host kinds of the host label: Route names the first four; a request
// answered before routing (the health probes) is "none".
const (
	HostTenant  = "tenant"
	HostAdmin   = "admin"
	HostBase    = "base"
	HostUnknown = "unknown"
	hostNone    = "none"
)

// unmatched labels a request no pattern or known path matched.
const unmatched = "unmatched"

// statusText holds the status codes as label values, made once, so that
// labelling a request builds no string.
var statusText = func() (s [600]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// recorder is the response writer HTTP hands down: it remembers the
// status, and Route fills in the host kind, the pattern and the tenant.
type recorder struct {
	http.ResponseWriter
	status  int
	host    string
	pattern string
	tenant  string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and Route reach the writers below.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// HTTP counts and times every request, and makes its span when tracing is
// on. It goes outside the access log and the router; Route, inside the
// router, tells it which host and pattern served the request.
func (t *Telemetry) HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		var span trace.Span
		if t.tracer != nil {
			ctx, s := t.tracer.Start(r.Context(), "HTTP "+r.Method, trace.WithSpanKind(trace.SpanKindServer))
			span, r = s, r.WithContext(ctx)
		}
		defer func() {
			// Recorded even when next panics (the access log inside
			// turns a panic into a 500 first).
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			t.observeRequest(rec, r.URL.Path, status, time.Since(start))
			if span != nil {
				endRequestSpan(span, r.Method, rec, status)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// observeRequest adds the request to the series.
func (t *Telemetry) observeRequest(rec *recorder, path string, status int, d time.Duration) {
	route := rec.pattern
	if route == "" {
		if known, ok := t.knownPaths[path]; ok {
			route = known
		} else {
			route = unmatched
		}
		rec.pattern = route
	}
	host := rec.host
	if host == "" {
		host = hostNone
	}
	code := "other"
	if status > 0 && status < len(statusText) {
		code = statusText[status]
	}
	if t.tenantLabels {
		t.httpRequests.WithLabelValues(host, route, code, rec.tenant).Inc()
	} else {
		t.httpRequests.WithLabelValues(host, route, code).Inc()
	}
	t.httpDuration.WithLabelValues(host, route).Observe(d.Seconds())
}

// endRequestSpan names the request's span after its route and ends it. The
// path itself is left out: it may name a user or carry a link's token.
func endRequestSpan(span trace.Span, method string, rec *recorder, status int) {
	if strings.Contains(rec.pattern, " ") {
		span.SetName(rec.pattern) // the pattern names its method
	} else {
		span.SetName(method + " " + rec.pattern)
	}
	span.SetAttributes(
		attribute.String("http.request.method", method),
		attribute.String("http.route", rec.pattern),
		attribute.String("sesame.host_kind", rec.host),
		attribute.Int("http.response.status_code", status),
	)
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// Route wraps the handler of one kind of host (HostTenant, HostAdmin,
// HostBase, HostUnknown): once next has served the request, it records
// the host kind and the pattern an http.ServeMux inside next matched
// (Request.Pattern, which the mux sets on the request it is given) for
// HTTP's series. When Routes nest, the innermost pattern wins.
func (t *Telemetry) Route(host string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		rec := findRecorder(w)
		if rec == nil {
			return
		}
		if rec.host == "" {
			rec.host = host
		}
		if rec.pattern == "" && r.Pattern != "" {
			rec.pattern = r.Pattern
		}
		if t.tenantLabels && rec.tenant == "" {
			if tn, ok := tenants.FromContext(r.Context()); ok {
				rec.tenant = tn.ID.String()
			}
		}
	})
}

// findRecorder walks down the writers (the access log wraps one of its
// own) to HTTP's recorder.
func findRecorder(w http.ResponseWriter) *recorder {
	for range 8 {
		if rec, ok := w.(*recorder); ok {
			return rec
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}
