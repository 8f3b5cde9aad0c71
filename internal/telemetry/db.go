package telemetry

import (
	"context"
	"database/sql"
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-id/sesame/db"
)

// WatchDB registers d's pool statistics and River's queue depth on the
// registry and, when tracing is on, adds the statement spans to d's hooks.
// Call it once per server, before d serves requests.
func (t *Telemetry) WatchDB(d *db.DB) {
	t.reg.MustRegister(newPoolCollector(d), newQueueCollector(d))
	if t.tracer != nil {
		d.AddQueryHook(queryTracer{tracer: t.tracer, system: string(d.Dialect())})
	}
}

// queryTracer is the bun query hook that makes a span per statement, as a
// child of the request's or job's span: a statement run outside one (a
// scrape, maintenance) makes none. Its attributes are the operation and
// the table, never the statement's text, which holds its values; a failed
// statement is marked as an error without its message, which may quote a
// value (a unique violation names the key).
type queryTracer struct {
	tracer trace.Tracer
	system string
}

func (q queryTracer) BeforeQuery(ctx context.Context, ev *bun.QueryEvent) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	op, table := ev.Operation(), ""
	if ev.IQuery != nil {
		table = ev.IQuery.GetTableName()
	}
	name := "db " + op
	if table != "" {
		name += " " + table
	}
	ctx, _ = q.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", q.system),
		attribute.String("db.operation.name", op),
		attribute.String("db.collection.name", table),
	))
	return ctx
}

func (q queryTracer) AfterQuery(ctx context.Context, ev *bun.QueryEvent) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if ev.Err != nil && !errors.Is(ev.Err, sql.ErrNoRows) {
		span.SetStatus(codes.Error, "statement failed")
	}
	span.End()
}

// poolCollector reports the connection pool's statistics under the names
// client_golang's own DB stats collector uses (go_sql_*), read from
// db.DB.PoolStats: package db keeps its *sql.DB to itself.
type poolCollector struct {
	db                                        *db.DB
	maxOpen, open, inUse, idle                *prometheus.Desc
	waitCount, waitDuration                   *prometheus.Desc
	maxIdleClosed, maxIdleTimeClosed, ltClose *prometheus.Desc
}

func newPoolCollector(d *db.DB) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("go_sql_"+name, help, nil, prometheus.Labels{"db_name": string(d.Dialect())})
	}
	return &poolCollector{
		db:                d,
		maxOpen:           desc("max_open_connections", "Maximum number of open connections to the database."),
		open:              desc("open_connections", "The number of established connections both in use and idle."),
		inUse:             desc("in_use_connections", "The number of connections currently in use."),
		idle:              desc("idle_connections", "The number of idle connections."),
		waitCount:         desc("wait_count_total", "The total number of connections waited for."),
		waitDuration:      desc("wait_duration_seconds_total", "The total time blocked waiting for a new connection."),
		maxIdleClosed:     desc("max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns."),
		maxIdleTimeClosed: desc("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime."),
		ltClose:           desc("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitDuration, c.maxIdleClosed, c.maxIdleTimeClosed, c.ltClose} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.PoolStats()
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	ch <- prometheus.MustNewConstMetric(c.maxOpen, gauge, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(c.open, gauge, float64(s.OpenConnections))
	ch <- prometheus.MustNewConstMetric(c.inUse, gauge, float64(s.InUse))
	ch <- prometheus.MustNewConstMetric(c.idle, gauge, float64(s.Idle))
	ch <- prometheus.MustNewConstMetric(c.waitCount, counter, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(c.waitDuration, counter, s.WaitDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(c.maxIdleClosed, counter, float64(s.MaxIdleClosed))
	ch <- prometheus.MustNewConstMetric(c.maxIdleTimeClosed, counter, float64(s.MaxIdleTimeClosed))
	ch <- prometheus.MustNewConstMetric(c.ltClose, counter, float64(s.MaxLifetimeClosed))
}
