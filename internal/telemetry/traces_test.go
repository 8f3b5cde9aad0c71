package telemetry_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestTraces_RequestFlowStepStatementAndJob: with a tracer provider, a
// sign-up and a passkey sign-in make a span per request, per flow step
// (child of its request), per statement (child of its step or job) and per
// job; no span carries the user's email address or a raw path.
func TestTraces_RequestFlowStepStatementAndJob(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
			srv := testserver.Start(t, b, testserver.Options{Telemetry: app.TelemetryConfig{TracerProvider: tp}})
			srv.CreateTenant(t, "acme", "Acme")
			dev := newDevice(srv, "acme")
			newClient(t, srv, "acme").signUp(dev, "ana@example.com")
			newClient(t, srv, "acme").signInWithPasskey(dev)

			var spans tracetest.SpanStubs
			require.Eventually(t, func() bool {
				spans = exp.GetSpans()
				return len(named(spans, "job email_code")) >= 1 && len(childrenOf(spans, named(spans, "job email_code")[0])) >= 1
			}, 10*time.Second, 50*time.Millisecond, "the email code job's span and its statements")

			requests := named(spans, "POST /api/flows/{kind}/{action}")
			require.NotEmpty(t, requests)
			require.Equal(t, trace.SpanKindServer, requests[0].SpanKind)

			finish := named(spans, "flow sign_in passkey.finish")
			require.Len(t, finish, 1)
			parent := byID(spans, finish[0].Parent.SpanID())
			require.NotNil(t, parent, "the step's span has its request's span as parent")
			require.Equal(t, "POST /api/flows/{kind}/{action}", parent.Name)

			statements := childrenOf(spans, finish[0])
			require.NotEmpty(t, statements, "the step's statements are its children")
			for _, s := range statements {
				require.Regexp(t, `^db [A-Z]+( [a-z_]+)?$`, s.Name)
				require.Equal(t, trace.SpanKindClient, s.SpanKind)
			}
			require.NotEmpty(t, named(spans, "db DELETE flows"), "the finish takes its flow")

			for _, s := range spans {
				for _, a := range s.Attributes {
					require.NotContains(t, a.Value.Emit(), "ana@example.com", "%s %s", s.Name, a.Key)
					require.NotContains(t, a.Value.Emit(), "/api/flows/sign-in", "%s %s: a route, never a path", s.Name, a.Key)
				}
			}
		})
	}
}

func named(spans tracetest.SpanStubs, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func byID(spans tracetest.SpanStubs, id trace.SpanID) *tracetest.SpanStub {
	for i := range spans {
		if spans[i].SpanContext.SpanID() == id {
			return &spans[i]
		}
	}
	return nil
}

func childrenOf(spans tracetest.SpanStubs, parent tracetest.SpanStub) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Parent.SpanID() == parent.SpanContext.SpanID() && s.Parent.TraceID() == parent.SpanContext.TraceID() {
			out = append(out, s)
		}
	}
	return out
}
