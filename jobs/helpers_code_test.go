package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	fakesmtp "github.com/sesame-id/sesame/internal/fake/smtp"
	faketwilio "github.com/sesame-id/sesame/internal/fake/twilio"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// codeEnv is what a code-job test works with: a tenant named Acme, a
// clock the workers read, the fake Twilio and SMTP servers driven by the
// real senders, and every log line of River and the workers.
type codeEnv struct {
	d      *db.DB
	tenant *db.Tenant
	clock  *clock.Fake
	twilio *faketwilio.Server
	smtp   *fakesmtp.Server
	logs   *logBuffer
	cfg    jobs.Config
}

const testSender = "+14155550100"

func newCodeEnv(t *testing.T, d *db.DB) *codeEnv {
	t.Helper()
	e := &codeEnv{
		d:      d,
		tenant: testdb.Tenant(t, d, "acme"),
		// The workers' clock starts at the wall clock's time but only
		// moves when a test says so.
		clock:  clock.NewFake(time.Now()),
		twilio: faketwilio.Start(t),
		smtp:   fakesmtp.Start(t, fakesmtp.Options{TLS: true}),
		logs:   newLogBuffer(t),
	}
	require.NoError(t, d.ForTenant(e.tenant.ID).Rename(context.Background(), "Acme"))

	sms, err := delivery.NewTwilio(delivery.TwilioConfig{
		AccountSID: e.twilio.AccountSID,
		AuthToken:  e.twilio.AuthToken,
		From:       testSender,
		HTTPClient: e.twilio.HTTPClient(),
	})
	require.NoError(t, err)
	email, err := delivery.NewSMTP(delivery.SMTPConfig{
		Host:      e.smtp.Host(),
		Port:      e.smtp.Port(),
		From:      "Sesame <no-reply@sesame.test>",
		TLS:       delivery.SMTPStartTLS,
		TLSConfig: e.smtp.TLSConfig(),
	})
	require.NoError(t, err)

	e.cfg = jobs.Config{
		FetchPollInterval: 20 * time.Millisecond,
		FetchCooldown:     5 * time.Millisecond,
		Clock:             e.clock,
		Logger:            e.logs.logger,
		Senders:           jobs.StaticSenders{SMSSender: sms, EmailSender: email},
		RetryPolicy:       quickRetry{},
	}
	return e
}

// quickRetry retries a failed job 50ms later, where River's default waits
// attempt⁴ seconds. Code expiry is driven by the fake clock instead.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

// startClient starts a job client on e's config, stopped when t ends
// unless the test stopped it first.
func (e *codeEnv) startClient(t *testing.T) *jobs.Client {
	t.Helper()
	client, err := jobs.NewClient(e.d, e.cfg)
	require.NoError(t, err)
	require.NoError(t, client.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, client.Stop(ctx))
	})
	return client
}

// newCode creates a code for recipient on channel, expiring after ttl on
// the fake clock, and enqueues its job in the same transaction.
func (e *codeEnv) newCode(t *testing.T, client *jobs.Client, channel, recipient string, ttl time.Duration) (*db.Code, *rivertype.JobRow) {
	t.Helper()
	codes, rows := e.newCodes(t, client, channel, []string{recipient}, ttl)
	return codes[0], rows[0]
}

// newCodes is newCode for several recipients, all in one transaction.
func (e *codeEnv) newCodes(t *testing.T, client *jobs.Client, channel string, recipients []string, ttl time.Duration) ([]*db.Code, []*rivertype.JobRow) {
	t.Helper()
	var (
		codes []*db.Code
		rows  []*rivertype.JobRow
	)
	now := e.clock.Now()
	err := e.d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
		for _, r := range recipients {
			c := &db.Code{Purpose: "sign_in", Channel: channel, Recipient: r, MaxAttempts: 5, ExpiresAt: now.Add(ttl)}
			if err := tx.ForTenant(e.tenant.ID).Codes().Create(ctx, c, now); err != nil {
				return err
			}
			var args river.JobArgs = jobs.SMSCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID}
			if channel == db.ChannelEmail {
				args = jobs.EmailCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID}
			}
			res, err := client.InsertTx(ctx, tx.SQL(), args, nil)
			if err != nil {
				return err
			}
			codes = append(codes, c)
			rows = append(rows, res.Job)
		}
		return nil
	})
	require.NoError(t, err)
	return codes, rows
}

// code reads the code row id.
func (e *codeEnv) code(t *testing.T, id uuid.UUID) *db.Code {
	t.Helper()
	c, err := e.d.ForTenant(e.tenant.ID).Codes().Get(context.Background(), id)
	require.NoError(t, err)
	return c
}

// finalStates are the states River never leaves.
var finalStates = []rivertype.JobState{rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded}

// waitJob waits until job id reaches a final state and returns it.
func waitJob(t *testing.T, client *jobs.Client, id int64) *rivertype.JobRow {
	t.Helper()
	var job *rivertype.JobRow
	require.Eventually(t, func() bool {
		var err error
		job, err = client.JobGet(context.Background(), id)
		require.NoError(t, err)
		for _, s := range finalStates {
			if job.State == s {
				return true
			}
		}
		return false
	}, 30*time.Second, 10*time.Millisecond, "job %d did not finish", id)
	return job
}

// waitJobs waits until every job of kind reached a final state and
// returns them all.
func waitJobs(t *testing.T, client *jobs.Client, kind string) []*rivertype.JobRow {
	t.Helper()
	var list *river.JobListResult
	require.Eventually(t, func() bool {
		var err error
		list, err = client.JobList(context.Background(), river.NewJobListParams().Kinds(kind).First(1000))
		require.NoError(t, err)
		for _, j := range list.Jobs {
			final := false
			for _, s := range finalStates {
				final = final || j.State == s
			}
			if !final {
				return false
			}
		}
		return true
	}, 60*time.Second, 20*time.Millisecond, "%s jobs did not finish", kind)
	return list.Jobs
}

var smsBody = regexp.MustCompile(`^Your Acme code is ([0-9]{6})\. It expires in ([0-9]+) minutes?\.$`)

// codeIn returns the code an SMS body carries, failing the test if the
// body is not the code message.
func codeIn(t *testing.T, body string) string {
	t.Helper()
	m := smsBody.FindStringSubmatch(body)
	require.NotNil(t, m, "message body %q is not a code message", body)
	return m[1]
}

// emailText decodes a fake SMTP message's quoted-printable body.
func emailText(t *testing.T, m fakesmtp.Message) string {
	t.Helper()
	text, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(m.Body)))
	require.NoError(t, err)
	return strings.TrimRight(string(text), "\r\n")
}

// logBuffer keeps every log line, at every level, for the test to search;
// a failed test prints them.
type logBuffer struct {
	logger *slog.Logger

	mu  sync.Mutex
	buf bytes.Buffer
}

func newLogBuffer(t *testing.T) *logBuffer {
	l := &logBuffer{}
	l.logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", l.String())
		}
	})
	return l
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// requireNoCodeInLogs fails if a log line holds one of values as a number
// of its own, or a message body with its code. A value counts when no
// letter or digit touches it and no '.' or '_' precedes it, so that the
// digits of a timestamp's fraction, a duration ("1.234567ms") or River's
// client id ("vm_..._08_500783") are not taken for a code, while
// "code is 123456." or "code=123456" are.
func requireNoCodeInLogs(t *testing.T, logs *logBuffer, values []string) {
	t.Helper()
	text := logs.String()
	require.NotEmpty(t, text, "the test captured no log lines")
	require.NotRegexp(t, `code is [0-9]`, text, "a message body was logged")
	for _, v := range values {
		re := regexp.MustCompile(`(^|[^0-9A-Za-z._])` + v + `([^0-9A-Za-z]|$)`)
		for line := range strings.SplitSeq(text, "\n") {
			require.False(t, re.MatchString(line), "log line holds code %s: %s", v, line)
		}
	}
}

// messagesTo returns the messages the fake Twilio accepted for to, oldest
// first.
func messagesTo(e *codeEnv, to string) []faketwilio.Message {
	var out []faketwilio.Message
	for _, m := range e.twilio.Messages() {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// leakySender is an SMS provider whose errors quote the message, as some
// HTTP APIs do: the first send to each recipient fails temporarily, every
// send to permanentTo fails permanently.
type leakySender struct {
	permanentTo string

	mu     sync.Mutex
	calls  map[string]int
	bodies []string
}

func (s *leakySender) SendSMS(_ context.Context, sms delivery.SMS) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[sms.To]++
	s.bodies = append(s.bodies, sms.Body)
	switch {
	case sms.To == s.permanentTo:
		return "", fmt.Errorf("provider refused message %q: %w", sms.Body, delivery.ErrPermanent)
	case s.calls[sms.To] == 1:
		return "", fmt.Errorf("provider timed out sending %q", sms.Body)
	}
	return "SM" + strings.ReplaceAll(uuid.NewString(), "-", ""), nil
}

// stallingSender is an SMS provider that accepts a message only once the
// job's context has ended: the send completes just as the client stops.
type stallingSender struct {
	sending chan struct{}
	calls   int
}

func (s *stallingSender) SendSMS(ctx context.Context, _ delivery.SMS) (string, error) {
	s.calls++
	close(s.sending)
	<-ctx.Done()
	return "SMstalled", nil
}
