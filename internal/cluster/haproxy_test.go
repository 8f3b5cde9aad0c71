package cluster

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stretchr/testify/require"
)

// haproxyConfig is the load balancer's configuration: HTTP mode,
// round-robin per request (keep-alive connections are balanced request by
// request), a health check on /healthz every 300 ms (/readyz asks the database
// and takes longer than that on a loaded machine), and on a refused
// connection (a node between SIGTERM and its restart) up to three retries,
// the last ones on another node (option redispatch). The response header
// nodeHeader names the node that answered.
const haproxyConfig = `global
    maxconn 512

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 5s
    timeout check 2s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend sesame
    bind %s
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz
    default-server inter 300ms fastinter 100ms fall 1 rise 1
    http-response set-header ` + nodeHeader + ` %%[srv_name]
%s`

// startHAProxy writes the configuration for the nodes and runs HAProxy in
// the foreground until the test ends, then waits until it forwards.
func (c *cluster) startHAProxy(bin string) {
	c.t.Helper()
	var servers strings.Builder
	for _, n := range c.nodes {
		fmt.Fprintf(&servers, "    server %s %s check\n", n.name, n.addr)
	}
	cfg := filepath.Join(c.dir, "haproxy.cfg")
	require.NoError(c.t, os.WriteFile(cfg, []byte(fmt.Sprintf(haproxyConfig, c.proxy, servers.String())), 0o600))
	check := exec.Command(bin, "-c", "-f", cfg)
	out, err := check.CombinedOutput()
	require.NoError(c.t, err, "haproxy -c: %s", out)

	logFile, err := os.Create(filepath.Join(c.dir, "haproxy.log"))
	require.NoError(c.t, err)
	cmd := exec.Command(bin, "-db", "-f", cfg)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(c.t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(done) }()
	c.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	client := &http.Client{Timeout: 2 * time.Second}
	require.Eventually(c.t, func() bool {
		req, _ := http.NewRequest(http.MethodGet, "http://"+c.proxy+"/healthz", nil)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK && resp.Header.Get(nodeHeader) != ""
	}, startWait, 50*time.Millisecond, "HAProxy does not forward to the nodes")
}
