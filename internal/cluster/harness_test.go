package cluster

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	fakesmtp "github.com/sesame-id/sesame/internal/fake/smtp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// nodeCount is how many sesame processes serve the one database.
const nodeCount = 3

// startWait bounds a node's start (process start to /readyz answering
// 200) and HAProxy's; a loaded two-core machine needs seconds.
const startWait = 60 * time.Second

// nodeHeader is the response header HAProxy adds naming the node that
// served the request (its server name in the generated configuration).
const nodeHeader = "X-Sesame-Node"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// sesameBinary builds cmd/sesame once per test binary into a temporary
// folder that outlives the tests of the package (removed by TestMain).
func sesameBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sesame-cluster-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		binPath = filepath.Join(dir, "sesame")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/sesame-id/sesame/cmd/sesame")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/sesame: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

var buildDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// haproxyBinary finds haproxy on PATH or in /usr/sbin (Debian's place,
// often not on a user's PATH).
func haproxyBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	msg := "cluster: haproxy is not installed; install it with `apt-get install -y haproxy` (.ci/run does)"
	if os.Getenv("CI") == "" {
		t.Skip(msg)
	}
	t.Fatal(msg)
	return ""
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// node is one sesame process; it keeps its port across restarts.
type node struct {
	name string
	addr string
	log  string // file the process's stderr (JSON log lines) is appended to
	cmd  *exec.Cmd
	done chan error
}

// cluster is the running system: the nodes, HAProxy in front of them, the
// database they share and the fake SMTP relay the tenants' codes reach.
type cluster struct {
	t       *testing.T
	bin     string
	env     []string
	dir     string
	nodes   []*node
	proxy   string // HAProxy's 127.0.0.1:port
	base    string // base domain: localhost:{proxy port}
	db      *db.DB
	tenants *tenants.Service
	smtp    *fakesmtp.Server
}

// newCluster creates a fresh PostgreSQL database and migrates it; up
// then starts the nodes and HAProxy. Everything stops when the test ends.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	haproxyBinary(t) // fail (or skip) before anything starts
	c := &cluster{t: t, bin: sesameBinary(t), dir: t.TempDir(), smtp: fakesmtp.Start(t, fakesmtp.Options{})}
	proxyPort := freePort(t)
	c.proxy = fmt.Sprintf("127.0.0.1:%d", proxyPort)
	c.base = fmt.Sprintf("localhost:%d", proxyPort)

	dsn := testdb.NewDSN(t, testdb.Postgres)
	d, err := db.Open(t.Context(), dsn, db.Options{MaxOpenConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.Migrate(t.Context())
	require.NoError(t, err)
	c.db, c.tenants = d, tenants.NewService(d, c.base)

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c.env = append(os.Environ(),
		"DATABASE_URL="+dsn,
		"SESAME_BASE_DOMAIN="+c.base,
		"SESAME_ENV=production",
		"SESAME_LOG_FORMAT=json",
		"SESAME_MIGRATE=false",
		"SESAME_DB_MAX_CONNS=5",
		"SESAME_SHUTDOWN_TIMEOUT=15s",
		"SESAME_KEY_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(key),
	)
	for i := range nodeCount {
		n := &node{name: fmt.Sprintf("n%d", i+1), addr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
		n.log = filepath.Join(c.dir, n.name+".log")
		c.nodes = append(c.nodes, n)
	}
	t.Cleanup(c.stopAll)
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range c.nodes {
				t.Logf("node %s answers of 400 and more, and errors:\n%s", n.name, c.troubles(n))
			}
		}
	})
	return c
}

// troubles returns the node's log lines about failed requests and errors.
func (c *cluster) troubles(n *node) string {
	var out []string
	for _, line := range strings.Split(c.nodeLog(n), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) ||
			regexp.MustCompile(`"status":[45]\d\d`).MatchString(line) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// up starts the nodes, waits until each is ready, and starts HAProxy.
func (c *cluster) up() {
	c.t.Helper()
	for _, n := range c.nodes {
		c.start(n)
	}
	for _, n := range c.nodes {
		c.waitReady(n)
	}
	c.startHAProxy(haproxyBinary(c.t))
}

// start runs the node's process; its log is appended to n.log.
func (c *cluster) start(n *node) {
	c.t.Helper()
	f, err := os.OpenFile(n.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(c.t, err)
	cmd := exec.Command(c.bin, "serve", "--listen", n.addr)
	cmd.Env = c.env
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(c.t, cmd.Start())
	n.cmd, n.done = cmd, make(chan error, 1)
	go func() { n.done <- cmd.Wait(); _ = f.Close() }()
}

// waitReady waits until the node answers /readyz with 200.
func (c *cluster) waitReady(n *node) {
	c.t.Helper()
	deadline := time.Now().Add(startWait)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-n.done:
			n.done <- err
			c.t.Fatalf("node %s exited on start: %v\n%s", n.name, err, c.nodeLog(n))
		default:
		}
		resp, err := client.Get("http://" + n.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("node %s not ready within %s\n%s", n.name, startWait, c.nodeLog(n))
}

// stop sends SIGTERM to the node and waits for it to exit cleanly.
func (c *cluster) stop(n *node) {
	c.t.Helper()
	require.NoError(c.t, n.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-n.done:
		require.NoError(c.t, err, "node %s did not exit cleanly on SIGTERM\n%s", n.name, c.nodeLog(n))
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		c.t.Fatalf("node %s did not stop within 30s of SIGTERM", n.name)
	}
	n.cmd = nil
}

// stopAll kills whatever still runs; the test's own stops are graceful.
func (c *cluster) stopAll() {
	for _, n := range c.nodes {
		if n.cmd != nil {
			_ = n.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-n.done:
			case <-time.After(20 * time.Second):
				_ = n.cmd.Process.Kill()
			}
		}
	}
}

// nodeLog returns what the node logged so far, all its runs.
func (c *cluster) nodeLog(n *node) string {
	b, _ := os.ReadFile(n.log)
	return string(b)
}

// served counts the node's access-log lines for host whose path starts
// with prefix.
func (c *cluster) served(n *node, host, prefix string) int {
	count := 0
	for _, line := range strings.Split(c.nodeLog(n), "\n") {
		if strings.Contains(line, `"msg":"request"`) && strings.Contains(line, `"host":"`+host+`"`) &&
			strings.Contains(line, `"path":"`+prefix) {
			count++
		}
	}
	return count
}

// origin is the tenant's URL through HAProxy.
func (c *cluster) origin(slug string) string { return "http://" + slug + "." + c.base }

// createTenant creates a tenant whose email codes go to the fake SMTP
// relay, with its settings as edit leaves them.
func (c *cluster) createTenant(slug string, edit func(s *tenants.Settings)) *tenants.Tenant {
	c.t.Helper()
	ctx := context.Background()
	tn, err := c.tenants.Create(ctx, slug, strings.ToUpper(slug[:1])+slug[1:])
	require.NoError(c.t, err)
	next := tn.Settings
	next.Providers.Email = tenants.EmailProvider{Provider: tenants.ProviderSMTP, Host: c.smtp.Host(), Port: c.smtp.Port(), TLS: "none", From: "no-reply@" + slug + ".example"}
	if edit != nil {
		edit(&next)
	}
	tn, err = c.tenants.UpdateSettings(ctx, tn, next, true)
	require.NoError(c.t, err)
	return tn
}
