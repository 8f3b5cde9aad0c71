package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// TestCodeJob_StartsWithin50msOfItsCommitOnPostgreSQL holds the code jobs
// to the latency the issue asks for: from the commit of the transaction
// that made a code and enqueued its job to the job's start (its
// attempted_at, set when a worker takes it), p99 under 50ms beyond the
// machine's own delay. The workers poll only every 10s here, so only the
// insert notification can wake them in time. Sends are sequential (each
// waits for its message), after a warm-up. After each send the test times
// a bare LISTEN/NOTIFY round trip between two plain pgx connections to the
// same database, the least any notified worker can take on this machine at
// that moment: on an idle machine its p99 is about a millisecond, under the
// load of a whole test run it is what scheduling adds, and the budget is
// 50ms on top of it (a latency in a test is held against the machine's,
// never alone). The delay to the message handed to the sender, which adds
// the job's own work, is logged.
func TestCodeJob_StartsWithin50msOfItsCommitOnPostgreSQL(t *testing.T) {
	dsn := testdb.NewDSN(t, testdb.Postgres)
	d, err := db.Open(context.Background(), dsn, db.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.Migrate(context.Background())
	require.NoError(t, err)
	control := newNotifyRoundTrip(t, dsn)
	e := newCodeEnv(t, d)
	sender := newStampingSender()
	e.cfg.Senders = jobs.StaticSenders{EmailSender: sender}
	e.cfg.FetchPollInterval = 10 * time.Second
	e.cfg.FetchCooldown = 0
	e.cfg.Logger = slog.New(slog.DiscardHandler) // as in production: no debug lines
	client := e.startClient(t)

	const warmUp, sends = 5, 100
	var started, sent, floor []time.Duration
	for i := range warmUp + sends {
		_, job := e.newCode(t, client, db.ChannelEmail, fmt.Sprintf("p%d@example.com", i), 10*time.Minute)
		committed := time.Now()
		var at time.Time
		select {
		case at = <-sender.sent:
		case <-time.After(5 * time.Second):
			t.Fatalf("send %d: no message 5s after its commit (workers poll every 10s)", i)
		}
		job, err := client.JobGet(context.Background(), job.ID)
		require.NoError(t, err)
		require.NotNil(t, job.AttemptedAt)
		if i >= warmUp {
			started = append(started, job.AttemptedAt.Sub(committed))
			sent = append(sent, at.Sub(committed))
			floor = append(floor, control.measure(t))
		}
	}
	p50, p99 := percentiles(started)
	s50, s99 := percentiles(sent)
	f50, f99 := percentiles(floor)
	t.Logf("%d sequential sends, from commit: job started p50 %s p99 %s; message sent p50 %s p99 %s; bare LISTEN/NOTIFY p50 %s p99 %s",
		sends, p50, p99, s50, s99, f50, f99)
	require.Less(t, p99, 50*time.Millisecond+f99, "p99 from commit to the job's start, beyond a bare notification's p99 (%s)", f99)
}

// notifyRoundTrip is a bare LISTEN/NOTIFY between two pgx connections.
type notifyRoundTrip struct{ listener, notifier *pgx.Conn }

func newNotifyRoundTrip(t *testing.T, dsn string) *notifyRoundTrip {
	t.Helper()
	ctx := context.Background()
	connect := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		return c
	}
	n := &notifyRoundTrip{listener: connect(), notifier: connect()}
	_, err := n.listener.Exec(ctx, "LISTEN latency_control")
	require.NoError(t, err)
	return n
}

// measure times one notification from its sender's commit (autocommit) to
// its arrival at the listener.
func (n *notifyRoundTrip) measure(t *testing.T) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := n.notifier.Exec(ctx, "SELECT pg_notify('latency_control', 'x')")
	require.NoError(t, err)
	sentAt := time.Now()
	_, err = n.listener.WaitForNotification(ctx)
	require.NoError(t, err)
	return time.Since(sentAt)
}

// percentiles returns the 50th and 99th percentiles of ds (nearest rank).
func percentiles(ds []time.Duration) (time.Duration, time.Duration) {
	ds = slices.Sorted(slices.Values(ds))
	rank := func(p int) time.Duration { return ds[(len(ds)*p+99)/100-1] }
	return rank(50), rank(99)
}

// stampingSender records when each email reaches it.
type stampingSender struct{ sent chan time.Time }

func newStampingSender() *stampingSender { return &stampingSender{sent: make(chan time.Time, 16)} }

func (s *stampingSender) SendEmail(context.Context, delivery.Email) (string, error) {
	s.sent <- time.Now()
	return uuid.NewString(), nil
}

// TestClient_IdleRunsUnder5StatementsASecondOnPostgreSQL starts the job
// client with its default intervals and no jobs, lets it settle (leader
// election, the cleanup job it runs on start), and counts the statements
// the process sends in 10s through a proxy: fewer than 5 a second (with a
// 100ms poll the fetches alone are 20; about a third of what is left are
// pgx's liveness pings of idle connections). It logs the CPU this process and the
// database's backends spent meanwhile, for the README's figures; it does
// not assert it, because on a shared 2-core machine a window's CPU time is
// mostly the cost of waking up (a bare 50ms ticker, as in River's
// completer, costs about 3ms a second there). The test does not run in
// parallel, so nothing else in the package runs meanwhile.
func TestClient_IdleRunsUnder5StatementsASecondOnPostgreSQL(t *testing.T) {
	realDSN := testdb.NewDSN(t, testdb.Postgres)
	proxy, dsn := startStatementProxy(t, realDSN)
	ctx := context.Background()
	d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.Migrate(ctx)
	require.NoError(t, err)
	e := newCodeEnv(t, d)
	e.cfg.FetchPollInterval, e.cfg.FetchCooldown = 0, 0
	e.cfg.Logger = slog.New(slog.DiscardHandler) // as in production: no debug lines
	e.startClient(t)
	time.Sleep(3 * time.Second)

	const window = 10 * time.Second
	pids := backendPIDs(t, realDSN)
	pgBefore, pgOK := backendsCPU(pids)
	stmtsBefore := proxy.Statements()
	before := processCPU(t)
	time.Sleep(window)
	cpu := processCPU(t) - before
	statements := float64(proxy.Statements()-stmtsBefore) / window.Seconds()
	pg := "unknown (its processes cannot be read)"
	if pgAfter, ok := backendsCPU(pids); ok && pgOK {
		pg = ((pgAfter - pgBefore) / time.Duration(window/time.Second)).String()
	}
	t.Logf("idle, a second: %.1f statements; CPU: this process %s, PostgreSQL's backends %s",
		statements, cpu/time.Duration(window/time.Second), pg)
	require.Less(t, statements, 5.0, "an idle job client's statements a second")
}

func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendPIDs lists the PostgreSQL server processes connected to the
// database named in dsn, by their titles in /proc ("postgres: USER DBNAME
// HOST(PORT) STATE"); none when the server runs elsewhere.
func backendPIDs(t *testing.T, dsn string) []int {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	name := " " + strings.TrimPrefix(u.Path, "/") + " "
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		title, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && strings.HasPrefix(string(title), "postgres: ") && strings.Contains(string(title), name) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// backendsCPU adds up the user and system time of the given PostgreSQL
// processes from /proc; false when one cannot be read (a server on another
// host or in another namespace).
func backendsCPU(pids []int) (time.Duration, bool) {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, false
		}
		// Fields after the command name, which is in parentheses: utime
		// and stime are the 12th and 13th of them, in clock ticks (100/s).
		_, rest, ok := strings.Cut(string(b), ") ")
		f := strings.Fields(rest)
		if !ok || len(f) < 13 {
			return 0, false
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * 10 * time.Millisecond
	}
	return total, len(pids) > 0
}
