// Package testop runs, for tests only, a real OpenID Provider as the
// upstream of a Sesame connector: oidc-provider (npm), a certified OpenID
// Provider library, started by flows/federation/testdata/op/op.mjs on
// 127.0.0.1. The flows/federation and flows/web tests sign in through it
// with a Go HTTP client and with Chromium.
package testop

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Account is an account of the provider; its login (the key of
// Options.Accounts) is its subject.
type Account struct {
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name,omitempty"`
}

// Options are the provider's one client and its accounts.
type Options struct {
	ClientID, Secret, RedirectURI string
	// TokenAuth is the client's token_endpoint_auth_method
	// ("": client_secret_basic).
	TokenAuth string
	Accounts  map[string]Account
}

// OP is a running provider.
type OP struct {
	Issuer string
}

// dir is op.mjs's folder, found from this file's place in the module
// (tests of any package start the same script).
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "flows", "federation", "testdata", "op")
}

// Require fails the test unless Node.js and oidc-provider are installed:
// the suite never skips the certified provider silently.
func Require(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("node")
	require.NoError(t, err, "Node.js is needed to run oidc-provider as an upstream (Debian: apt-get install -y nodejs npm)")
	_, err = os.Stat(filepath.Join(dir(), "node_modules", "oidc-provider", "package.json"))
	require.NoError(t, err, "oidc-provider is not installed: run `npm ci` in %s (.ci/run does it before make test)", dir())
}

// Start runs op.mjs until the test ends and returns once it listens.
func Start(t *testing.T, o Options) *OP {
	t.Helper()
	Require(t)
	accounts, err := json.Marshal(o.Accounts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", "op.mjs")
	cmd.Dir = dir()
	cmd.Env = append(os.Environ(), "OP_CLIENT_ID="+o.ClientID, "OP_CLIENT_SECRET="+o.Secret,
		"OP_REDIRECT_URI="+o.RedirectURI, "OP_TOKEN_AUTH="+o.TokenAuth, "OP_ACCOUNTS="+string(accounts))
	stderr := &lockedBuilder{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cancel()
			<-done
		}
		cancel()
		if t.Failed() {
			t.Logf("op.mjs stderr:\n%s", stderr)
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			ready <- sc.Text()
		}
		close(ready)
		_, _ = io.Copy(io.Discard, out)
	}()
	var line string
	select {
	case line = <-ready:
	case <-time.After(30 * time.Second):
	}
	require.NotEmpty(t, line, "op.mjs did not start: %s", stderr)
	var op OP
	require.NoError(t, json.Unmarshal([]byte(line), &op), line)
	require.True(t, strings.HasPrefix(op.Issuer, "http://127.0.0.1:"), op.Issuer)
	return &op
}

// TokenRequests is how many times the provider's token endpoint was
// called (op.mjs counts them): once per code redeemed or tried.
func (op *OP) TokenRequests(t *testing.T) int {
	t.Helper()
	res, err := http.Get(op.Issuer + "/test/token-requests")
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		TokenRequests int `json:"token_requests"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return out.TokenRequests
}

// lockedBuilder collects the process's stderr while the test may read it.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
