package jobs_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// TestCodeJob_StartsWithin50msOfItsCommitOnPostgreSQL holds the code jobs
// to the latency the issue asks for: from the commit of the transaction
// that made a code and enqueued its job to the moment the worker hands the
// message to its sender, p99 under 50ms. The workers poll only every 10s
// here, so only the insert notification can wake them in time. Sends are
// sequential (each waits for its message), after a warm-up.
func TestCodeJob_StartsWithin50msOfItsCommitOnPostgreSQL(t *testing.T) {
	d := testdb.New(t, testdb.Postgres)
	e := newCodeEnv(t, d)
	sender := newStampingSender()
	e.cfg.Senders = jobs.StaticSenders{EmailSender: sender}
	e.cfg.FetchPollInterval = 10 * time.Second
	e.cfg.FetchCooldown = 0
	client := e.startClient(t)

	const warmUp, sends = 5, 100
	var delays []time.Duration
	for i := range warmUp + sends {
		e.newCode(t, client, db.ChannelEmail, fmt.Sprintf("p%d@example.com", i), 10*time.Minute)
		committed := time.Now()
		select {
		case sent := <-sender.sent:
			if i >= warmUp {
				delays = append(delays, sent.Sub(committed))
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("send %d: no message 5s after its commit (workers poll every 10s)", i)
		}
	}
	slices.Sort(delays)
	p50, p99 := delays[sends/2-1], delays[sends*99/100-1]
	t.Logf("commit to message, %d sequential sends: p50 %s, p99 %s, max %s", sends, p50, p99, delays[sends-1])
	require.Less(t, p99, 50*time.Millisecond, "p99 from commit to message")
}

// stampingSender records when each email reaches it.
type stampingSender struct{ sent chan time.Time }

func newStampingSender() *stampingSender { return &stampingSender{sent: make(chan time.Time, 16)} }

func (s *stampingSender) SendEmail(context.Context, delivery.Email) (string, error) {
	s.sent <- time.Now()
	return uuid.NewString(), nil
}

// TestClient_IdleCostsUnder5msOfCPUASecondOnPostgreSQL starts the job
// client with its default intervals and no jobs, lets it settle (leader
// election, the cleanup job it runs on start), and measures this process's
// CPU time for 3s. It also logs the CPU the database's backends spent,
// when their /proc entries can be read. The test does not run in parallel,
// so nothing else in the package runs meanwhile.
func TestClient_IdleCostsUnder5msOfCPUASecondOnPostgreSQL(t *testing.T) {
	dsn := testdb.NewDSN(t, testdb.Postgres)
	ctx := context.Background()
	d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.Migrate(ctx)
	require.NoError(t, err)
	e := newCodeEnv(t, d)
	e.cfg.FetchPollInterval, e.cfg.FetchCooldown = 0, 0
	e.startClient(t)
	time.Sleep(2 * time.Second)

	const window = 3 * time.Second
	pids := backendPIDs(t, dsn)
	pgBefore, pgOK := backendsCPU(pids)
	before := processCPU(t)
	time.Sleep(window)
	used := processCPU(t) - before
	perSecond := used / time.Duration(window/time.Second)
	if pgAfter, ok := backendsCPU(pids); ok && pgOK {
		t.Logf("idle: PostgreSQL backends %s of CPU a second", (pgAfter-pgBefore)/time.Duration(window/time.Second))
	}
	t.Logf("idle: this process %s of CPU a second", perSecond)
	require.Less(t, perSecond, 5*time.Millisecond, "an idle job client's CPU a second")
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
