package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
)

// TestServe_MetricsOnTheirOwnAddressAndTracesToTheCollector: with
// --metrics-addr, /metrics answers there (and not on a tenant host); with
// --otlp-endpoint, the spans reach the collector by shutdown.
func TestServe_MetricsOnTheirOwnAddressAndTracesToTheCollector(t *testing.T) {
	t.Parallel()
	var traces atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
			traces.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	metricsAddr := freeAddr(t)
	addr, stop := startServe(t, map[string]string{
		"DATABASE_URL":            testdb.NewDSN(t, testdb.SQLite),
		"SESAME_BASE_DOMAIN":      "sesame.test",
		"SESAME_LISTEN":           "127.0.0.1:0",
		"SESAME_DEMO":             "true",
		"SESAME_METRICS_ADDR":     metricsAddr,
		"SESAME_METRICS_PROFILES": "true",
		"SESAME_OTLP_ENDPOINT":    collector.URL,
	})
	get := func(host, url string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	code, _ := get("demo.sesame.test", "http://"+addr+"/")
	require.Equal(t, http.StatusOK, code)
	code, body := get("demo.sesame.test", "http://"+addr+"/metrics")
	require.Equal(t, http.StatusNotFound, code)
	require.NotContains(t, body, "sesame_http_requests_total")

	code, body = get(metricsAddr, "http://"+metricsAddr+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `sesame_http_requests_total{code="200",host="tenant",route="GET /{$}"} 1`)
	require.Contains(t, body, "go_sql_open_connections")
	code, body = get(metricsAddr, "http://"+metricsAddr+"/debug/pprof/goroutine?debug=1")
	require.Equal(t, http.StatusOK, code, "--metrics-profiles serves the profiles beside /metrics")
	require.Contains(t, body, "goroutine profile:")
	code, _ = get("demo.sesame.test", "http://"+addr+"/debug/pprof/goroutine?debug=1")
	require.Equal(t, http.StatusNotFound, code, "never on a tenant host")

	logs := stop()
	require.Contains(t, logs, "serving metrics")
	require.Positive(t, traces.Load(), "the batched spans are sent by shutdown")
}

func TestCLI_BadTelemetrySettingsNameTheSetting(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewDSN(t, testdb.SQLite)
	for env, want := range map[string]string{
		"SESAME_METRICS_ADDR":          "SESAME_METRICS_ADDR / --metrics-addr",
		"SESAME_OTLP_ENDPOINT":         "SESAME_OTLP_ENDPOINT / --otlp-endpoint",
		"SESAME_METRICS_TENANT_LABELS": "SESAME_METRICS_TENANT_LABELS / --metrics-tenant-labels",
		"SESAME_METRICS_PROFILES":      "SESAME_METRICS_PROFILES / --metrics-profiles",
	} {
		code, _, stderr := cli(t, map[string]string{"DATABASE_URL": dsn, env: "9090"}, "serve")
		require.Equal(t, exitError, code, env)
		require.Contains(t, oneLine(t, stderr), want)
	}
}

// freeAddr is a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	require.False(t, strings.HasSuffix(addr, ":0"))
	return addr
}
