package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/server"
)

func TestServer_ShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = w.Write([]byte("finished"))
	})
	var hookRan bool
	srv := &server.Server{
		Handler:         handler,
		ShutdownTimeout: 10 * time.Second,
		OnShutdown: []func(context.Context) error{func(context.Context) error {
			hookRan = true
			return nil
		}},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{body: string(b), err: err}
	}()

	<-started
	cancel() // as SIGTERM does
	// New connections are refused once shutdown began.
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, 5*time.Second, 10*time.Millisecond)
	close(release)

	r := <-got
	require.NoError(t, r.err)
	require.Equal(t, "finished", r.body)
	require.NoError(t, <-served)
	require.True(t, hookRan)
}

func TestServer_ShutdownHookErrorIsReported(t *testing.T) {
	t.Parallel()
	srv := &server.Server{
		Handler:    http.NotFoundHandler(),
		OnShutdown: []func(context.Context) error{func(context.Context) error { return errors.New("job client stuck") }},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorContains(t, srv.Serve(ctx, ln), "job client stuck")
}

func TestRequestID_EchoedAndLoggedOnEveryLine(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(server.LogHandler{Handler: slog.NewJSONHandler(&buf, nil)})
	h := server.WithRequestID(server.AccessLog(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "inside")
	})))

	req := httptest.NewRequest(http.MethodGet, "/x?token=secret", nil)
	req.Header.Set(server.RequestIDHeader, "abc-123")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, "abc-123", rec.Header().Get(server.RequestIDHeader))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	for _, l := range lines {
		require.Contains(t, l, `"request_id":"abc-123"`)
		require.NotContains(t, l, "secret", "query strings may carry tokens and must not be logged")
	}

	// A malformed incoming id is replaced by a fresh one.
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(server.RequestIDHeader, "bad id\n")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	id := rec.Header().Get(server.RequestIDHeader)
	require.Len(t, id, 24)
	require.NotEqual(t, "bad id\n", id)
}

func TestAccessLog_PanicBecomes500(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	h := server.AccessLog(logger, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "boom", "panic details must not reach the client")
	require.Contains(t, buf.String(), "handler panicked")
	require.Contains(t, buf.String(), `"status":500`)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	var readyErr error
	h := server.Health(func(context.Context) error { return readyErr }, http.NotFoundHandler())
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	require.Equal(t, http.StatusOK, get("/healthz").Code)
	require.Equal(t, http.StatusOK, get("/readyz").Code)
	readyErr = errors.New("database down: password=hunter2")
	rec := get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.NotContains(t, rec.Body.String(), "hunter2")
	require.Equal(t, http.StatusOK, get("/healthz").Code, "liveness does not depend on the database")
	require.Equal(t, http.StatusNotFound, get("/other").Code)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
