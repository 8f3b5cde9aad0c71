package telemetry

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-id/sesame/db"
)

// JobMiddleware is a River worker middleware (jobs.Config.Middleware) that
// times each job's wait and run by kind and makes its span. It is
// written here rather than taken from rivercontrib's otelriver, whose
// releases need a newer River than Sesame's.
func (t *Telemetry) JobMiddleware() rivertype.WorkerMiddleware { return &jobMiddleware{t: t} }

type jobMiddleware struct {
	river.WorkerMiddlewareDefaults
	t *Telemetry
}

// Work runs the job inside its span and observes it. The span's
// attributes are the job's kind, queue, id and attempt: never its
// arguments, which may hold a code or an address.
func (m *jobMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(ctx context.Context) error) error {
	start := time.Now()
	if wait := start.Sub(job.ScheduledAt); wait >= 0 {
		m.t.jobWait.WithLabelValues(job.Kind).Observe(wait.Seconds())
	}
	var span trace.Span
	if m.t.tracer != nil {
		ctx, span = m.t.tracer.Start(ctx, "job "+job.Kind, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
			attribute.String("sesame.job.kind", job.Kind),
			attribute.String("sesame.job.queue", job.Queue),
			attribute.String("sesame.job.id", strconv.FormatInt(job.ID, 10)),
			attribute.Int("sesame.job.attempt", job.Attempt),
		))
	}
	err := doInner(ctx)
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.t.jobDuration.WithLabelValues(job.Kind, result).Observe(time.Since(start).Seconds())
	if span != nil {
		if err != nil {
			span.SetStatus(codes.Error, "job failed")
		}
		span.End()
	}
	return err
}

// queueCollector reports the jobs waiting, by kind and state, read from
// the database at each scrape.
type queueCollector struct {
	db   *db.DB
	desc *prometheus.Desc
}

func newQueueCollector(d *db.DB) *queueCollector {
	return &queueCollector{db: d, desc: prometheus.NewDesc("sesame_job_queue_depth",
		"Jobs not yet finished, by kind and state (available, scheduled, retryable, running).", []string{"kind", "state"}, nil)}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	depths, err := c.db.JobQueueDepth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, d := range depths {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(d.Count), d.Kind, d.State)
	}
}
