package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// cli runs the sesame command in-process with env as its whole
// environment.
func cli(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

// oneLine asserts s is exactly one line.
func oneLine(t *testing.T, s string) string {
	t.Helper()
	require.Equal(t, 1, strings.Count(s, "\n"), "want one line, got %q", s)
	require.True(t, strings.HasSuffix(s, "\n"))
	return s
}

func TestCLI_BadDatabaseURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"mysql://root@localhost/x": `DATABASE_URL / --database-url: scheme "mysql" is not supported`,
		"postgres://%zz":           "DATABASE_URL: bad database URL: the postgres URL cannot be parsed",
		"sqlite:":                  "DATABASE_URL: bad database URL: sqlite: needs a file path",
		"postgres://u:pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=3": "DATABASE_URL: connect to postgres database",
	}
	for url, want := range cases {
		code, _, stderr := cli(t, map[string]string{"DATABASE_URL": url}, "migrate")
		require.Equal(t, exitError, code, url)
		require.Contains(t, oneLine(t, stderr), want, url)
		require.NotContains(t, stderr, ":pw@", "the password must never be printed")
	}
}

func TestCLI_BadSettingsNameTheSetting(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewDSN(t, testdb.SQLite)
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"SESAME_BASE_DOMAIN": "https://id.example.com"}, nil, "SESAME_BASE_DOMAIN / --base-domain"},
		{map[string]string{"SESAME_BASE_DOMAIN": "127.0.0.1:8080"}, nil, "is an IP address"},
		{map[string]string{"SESAME_ENV": "staging"}, nil, "SESAME_ENV / --env"},
		{map[string]string{"SESAME_LISTEN": "8080"}, nil, "SESAME_LISTEN / --listen"},
		{nil, []string{"--shutdown-timeout", "-1s"}, "SESAME_SHUTDOWN_TIMEOUT / --shutdown-timeout"},
		{nil, []string{"--job-poll-interval", "1ms"}, "below the 25ms minimum"},
		{nil, []string{"--migrate=maybe"}, "SESAME_MIGRATE / --migrate"},
	}
	for _, c := range cases {
		env := map[string]string{"DATABASE_URL": dsn}
		for k, v := range c.env {
			env[k] = v
		}
		code, _, stderr := cli(t, env, append([]string{"serve"}, c.args...)...)
		require.Equal(t, exitError, code, c.want)
		require.Contains(t, oneLine(t, stderr), c.want)
	}
}

func TestCLI_FlagBeatsEnvironment(t *testing.T) {
	t.Parallel()
	fs := cliEnv{stderr: io.Discard}.newFlagSet("x")
	load := configFlags(fs, true)
	require.NoError(t, fs.Parse([]string{"--env", "development", "--demo"}))
	cfg, err := load(func(k string) string {
		return map[string]string{"SESAME_ENV": "production", "SESAME_LOG_LEVEL": "debug"}[k]
	})
	require.NoError(t, err)
	require.Equal(t, "development", cfg.Env)
	require.Equal(t, "text", cfg.LogFormat, "development logs text by default")
	require.True(t, cfg.Demo)
	require.True(t, cfg.Migrate)
	require.Equal(t, "debug", strings.ToLower(cfg.LogLevel.String()))
	require.Equal(t, db.DefaultDSN, cfg.DatabaseURL)
}

func TestCLI_UsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"frobnicate"}, {"tenant"}, {"tenant", "create"}, {"tenant", "create", "--slug", "acme"}, {"domain", "add", "--tenant", "acme"}, {"migrate", "extra"}} {
		code, _, _ := cli(t, nil, args...)
		require.Equal(t, exitUsage, code, "%v", args)
	}
	code, stdout, _ := cli(t, nil, "help")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "tenant create --slug SLUG --name NAME")
}

func TestCLI_TenantCommands(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"DATABASE_URL": testdb.NewDSN(t, b)}

			code, _, stderr := cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "run `sesame migrate`")

			code, stdout, stderr := cli(t, env, "migrate")
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, "applied 20261123000000_init")
			code, stdout, _ = cli(t, env, "migrate")
			require.Equal(t, exitOK, code)
			require.Equal(t, "database is up to date\n", stdout)

			code, stdout, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Acme")
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, "created tenant acme (Acme)")

			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "acme", "--name", "Again")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), `slug "acme" is taken`)

			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "Admin", "--name", "X")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "slug:")
			code, _, stderr = cli(t, env, "tenant", "create", "--slug", "admin", "--name", "X")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "reserved")

			code, stdout, _ = cli(t, env, "tenant", "list")
			require.Equal(t, exitOK, code)
			require.Equal(t, 2, strings.Count(stdout, "\n"), "header and acme only: %q", stdout)
			require.Contains(t, stdout, "Acme")

			code, stdout, stderr = cli(t, env, "domain", "add", "--tenant", "acme", "--host", "Login.Acme.Test")
			require.Equal(t, exitOK, code, stderr)
			require.Contains(t, stdout, "login.acme.test now serves tenant acme")
			code, _, stderr = cli(t, env, "domain", "add", "--tenant", "acme", "--host", "not a host")
			require.Equal(t, exitUsage, code, stderr)
			code, _, stderr = cli(t, env, "domain", "add", "--tenant", "ghost", "--host", "x.test")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), `no tenant has slug "ghost"`)
			code, stdout, _ = cli(t, env, "domain", "list", "--tenant", "acme")
			require.Equal(t, exitOK, code)
			require.Contains(t, stdout, "login.acme.test\tverified")
			code, _, _ = cli(t, env, "domain", "remove", "--tenant", "acme", "--host", "login.acme.test")
			require.Equal(t, exitOK, code)
			code, _, stderr = cli(t, env, "domain", "remove", "--tenant", "acme", "--host", "login.acme.test")
			require.Equal(t, exitError, code)
			require.Contains(t, oneLine(t, stderr), "is not a domain of acme")
		})
	}
}

func TestCLI_DomainVerifiedByAnotherTenantIsRefusedAndNothingWritten(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testdb.NewDSN(t, testdb.SQLite)}
	for _, args := range [][]string{
		{"migrate"},
		{"tenant", "create", "--slug", "alpha", "--name", "Alpha"},
		{"tenant", "create", "--slug", "bravo", "--name", "Bravo"},
		{"domain", "add", "--tenant", "alpha", "--host", "login.shared.test"},
	} {
		code, _, stderr := cli(t, env, args...)
		require.Equal(t, exitOK, code, stderr)
	}
	code, _, stderr := cli(t, env, "domain", "add", "--tenant", "bravo", "--host", "login.shared.test")
	require.Equal(t, exitError, code)
	require.Contains(t, oneLine(t, stderr), "already a domain")
	_, stdout, _ := cli(t, env, "domain", "list", "--tenant", "bravo")
	require.Empty(t, stdout, "the refused claim must not be left behind")
}

func TestCLI_RefusesSchemaFromNewerBinary(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			testSchemaFromNewerBinary(t, b)
		})
	}
}

func testSchemaFromNewerBinary(t *testing.T, b testdb.Backend) {
	dsn := testdb.NewDSN(t, b)
	d, err := db.Open(context.Background(), dsn, db.Options{})
	require.NoError(t, err)
	defer d.Close()
	_, err = d.Migrate(context.Background())
	require.NoError(t, err)
	{
		require.NoError(t, d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.SQL().ExecContext(ctx, "INSERT INTO sesame_migrations (version, applied_at) VALUES ('29990101000000_future', '2999-01-01 00:00:00+00:00')")
			return err
		}))
		for _, args := range [][]string{{"migrate"}, {"serve", "--listen", "127.0.0.1:0"}, {"tenant", "list"}} {
			code, _, stderr := cli(t, map[string]string{"DATABASE_URL": dsn}, args...)
			require.Equal(t, exitError, code, "%v", args)
			require.Contains(t, oneLine(t, stderr), "newer than this sesame binary", "%v", args)
			require.Contains(t, stderr, "29990101000000_future")
		}
	}
}

func TestServe_RefusesUnmigratedDatabaseWhenToldNotToMigrate(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testdb.NewDSN(t, testdb.SQLite), "SESAME_MIGRATE": "false"}
	code, _, stderr := cli(t, env, "serve", "--listen", "127.0.0.1:0")
	require.Equal(t, exitError, code)
	require.Contains(t, oneLine(t, stderr), "not migrated")
}

// TestServe_ServesTenantsAndStopsGracefully starts `sesame serve` on each
// backend, talks to it over HTTP, stops it as SIGTERM would, and starts it
// again on the same data.
func TestServe_ServesTenantsAndStopsGracefully(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"DATABASE_URL":       testdb.NewDSN(t, b),
				"SESAME_BASE_DOMAIN": "sesame.test",
				"SESAME_LISTEN":      "127.0.0.1:0",
				"SESAME_DEMO":        "true",
			}
			for round := range 2 {
				addr, stop := startServe(t, env)
				get := func(host, path string) (int, string) {
					req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
					require.NoError(t, err)
					req.Host = host
					resp, err := http.DefaultClient.Do(req)
					require.NoError(t, err)
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					require.NoError(t, err)
					require.NotEmpty(t, resp.Header.Get("X-Request-Id"))
					return resp.StatusCode, string(body)
				}

				code, body := get("demo.sesame.test", "/")
				require.Equal(t, http.StatusOK, code)
				require.Contains(t, body, "Sign in to Demo")
				code, body = get("sesame.test", "/")
				require.Equal(t, http.StatusOK, code)
				require.Contains(t, body, "administration host")
				code, body = get("nobody.sesame.test", "/")
				require.Equal(t, http.StatusNotFound, code)
				require.Contains(t, body, "No site is served at")
				code, _ = get("demo.sesame.test", "/static/sesame.css")
				require.Equal(t, http.StatusOK, code)
				code, body = get("anything", "/healthz")
				require.Equal(t, http.StatusOK, code)
				require.Equal(t, "ok\n", body)
				code, body = get("anything", "/readyz")
				require.Equal(t, http.StatusOK, code)
				require.Equal(t, "ready\n", body)

				logs := stop()
				if round == 0 {
					require.Contains(t, logs, "created demo tenant")
				} else {
					require.NotContains(t, logs, "created demo tenant", "a second start reuses the data")
					require.NotContains(t, logs, "migrated database")
				}
				require.Contains(t, logs, "River client stopped")
			}
		})
	}
}

// startServe runs `sesame serve` until stop is called; it returns the
// address it listens on.
func startServe(t *testing.T, env map[string]string) (addr string, stop func() (logs string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, stdout, stderr) }()

	re := regexp.MustCompile(`listening on (\S+)`)
	require.Eventually(t, func() bool {
		m := re.FindStringSubmatch(stdout.String())
		if m != nil {
			addr = m[1]
		}
		select {
		case code := <-done:
			done <- code
			return true
		default:
		}
		return m != nil
	}, 30*time.Second, 10*time.Millisecond)
	require.NotEmpty(t, addr, "serve did not start: %s", stderr.String())

	return addr, func() string {
		cancel()
		select {
		case code := <-done:
			require.Equal(t, exitOK, code, stderr.String())
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
		return stderr.String()
	}
}

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

// TestServe_DevelopmentOutboxOnlyInDevelopment: the outbox of the codes
// the development outbox "sent" exists in development and nowhere else,
// and the base host, which has no session, lists none of them: its
// /dev/outbox leads to the admin host, where an administrator sees the
// codes of the tenants they manage.
func TestServe_DevelopmentOutboxOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]int{"development": http.StatusSeeOther, "production": http.StatusNotFound} {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			addr, stop := startServe(t, map[string]string{
				"DATABASE_URL":       testdb.NewDSN(t, testdb.SQLite),
				"SESAME_BASE_DOMAIN": "sesame.test",
				"SESAME_LISTEN":      "127.0.0.1:0",
				"SESAME_ENV":         env,
			})
			defer stop()
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for _, host := range []string{"sesame.test", "admin.sesame.test"} {
				req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/dev/outbox", nil)
				require.NoError(t, err)
				req.Host = host
				resp, err := noRedirect.Do(req)
				require.NoError(t, err)
				_, err = io.ReadAll(resp.Body)
				require.NoError(t, err)
				resp.Body.Close()
				switch {
				case want == http.StatusNotFound:
					require.Equal(t, http.StatusNotFound, resp.StatusCode, host)
				case host == "sesame.test":
					require.Equal(t, http.StatusSeeOther, resp.StatusCode)
					require.Equal(t, "https://admin.sesame.test/dev/outbox", resp.Header.Get("Location"))
				default:
					require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out: to the sign-in page")
					require.Equal(t, "/", resp.Header.Get("Location"))
				}
			}
		})
	}
}
