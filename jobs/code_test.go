package jobs_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

func TestSMSCode_EnqueuedWithItsCodeArrivesAtTwilioAndChecks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newCodeEnv(t, d)
		client := e.startClient(t)

		c, job := e.newCode(t, client, db.ChannelSMS, "+447700900123", 10*time.Minute)
		require.Equal(t, "sms_code", job.Kind)
		require.Equal(t, jobs.QueueDefault, job.Queue)
		require.Equal(t, 8, job.MaxAttempts)
		require.NotContains(t, string(job.EncodedArgs), `"code"`, "the job carries ids only")

		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateCompleted, job.State, "errors: %+v", job.Errors)

		msgs := e.twilio.Messages()
		require.Len(t, msgs, 1)
		require.Equal(t, "+447700900123", msgs[0].To)
		require.Equal(t, testSender, msgs[0].From)
		value := codeIn(t, msgs[0].Body)
		require.Equal(t, fmt.Sprintf("Your Acme code is %s. It expires in 10 minutes.", value), msgs[0].Body)

		stored := e.code(t, c.ID)
		require.Equal(t, msgs[0].SID, stored.ProviderMessageID)
		require.NotNil(t, stored.SentAt)
		require.Equal(t, db.HashCode(c.ID, value), stored.CodeHash)
		_, err := d.ForTenant(e.tenant.ID).Codes().Check(ctx, c.ID, value, e.clock.Now())
		require.NoError(t, err)

		requireNoCodeInLogs(t, e.logs, []string{value})
	})
}

func TestEmailCode_EnqueuedWithItsCodeArrivesBySMTPAndChecks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newCodeEnv(t, d)
		client := e.startClient(t)

		c, job := e.newCode(t, client, db.ChannelEmail, "ada@example.com", 10*time.Minute)
		require.Equal(t, "email_code", job.Kind)
		require.Equal(t, 8, job.MaxAttempts)

		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateCompleted, job.State, "errors: %+v", job.Errors)

		msgs := e.smtp.Messages()
		require.Len(t, msgs, 1)
		require.Equal(t, []string{"ada@example.com"}, msgs[0].To)
		require.True(t, msgs[0].TLS, "sent after STARTTLS")
		require.NoError(t, msgs[0].ParseErr)
		require.Equal(t, "Your Acme code", msgs[0].Header.Get("Subject"))
		text := emailText(t, msgs[0])
		value := codeIn(t, text)
		require.Equal(t, fmt.Sprintf("Your Acme code is %s. It expires in 10 minutes.", value), text)

		stored := e.code(t, c.ID)
		require.NotEmpty(t, stored.ProviderMessageID)
		require.Equal(t, msgs[0].Header.Get("Message-ID"), stored.ProviderMessageID)
		_, err := d.ForTenant(e.tenant.ID).Codes().Check(ctx, c.ID, value, e.clock.Now())
		require.NoError(t, err)

		requireNoCodeInLogs(t, e.logs, []string{value})
	})
}

func TestCodeJob_RolledBackTransactionLeavesNeitherCodeNorJob(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newCodeEnv(t, d)
		client, err := jobs.NewClient(d, e.cfg)
		require.NoError(t, err)

		now := e.clock.Now()
		c := &db.Code{Purpose: "sign_in", Channel: db.ChannelSMS, Recipient: "+447700900123", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
		rollback := context.Canceled
		err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			require.NoError(t, tx.ForTenant(e.tenant.ID).Codes().Create(ctx, c, now))
			_, err := client.InsertTx(ctx, tx.SQL(), jobs.SMSCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID}, nil)
			require.NoError(t, err)
			return rollback
		})
		require.ErrorIs(t, err, rollback)

		_, err = d.ForTenant(e.tenant.ID).Codes().Get(ctx, c.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		list, err := client.JobList(ctx, river.NewJobListParams().Kinds("sms_code", "email_code"))
		require.NoError(t, err)
		require.Empty(t, list.Jobs)
	})
}

func TestSMSCode_PermanentFailureMarksCodeFailedAndCancelsJob(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		client := e.startClient(t)
		e.twilio.FailNext(1, http.StatusBadRequest, 21211) // invalid To number

		c, job := e.newCode(t, client, db.ChannelSMS, "+447700900123", 10*time.Minute)
		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateCancelled, job.State)
		require.Len(t, job.Errors, 1)
		require.Contains(t, job.Errors[0].Error, "21211")

		require.Equal(t, 1, e.twilio.Requests(), "a permanent failure is not retried")
		require.Empty(t, e.twilio.Messages())
		stored := e.code(t, c.ID)
		require.NotNil(t, stored.SendFailedAt)
		require.Nil(t, stored.SentAt)
		require.Contains(t, stored.SendError, "Twilio error 21211")
		require.LessOrEqual(t, len(stored.SendError), 200)

		// Even a second job for the failed code sends nothing.
		var again *rivertype.JobRow
		require.NoError(t, d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
			res, err := client.InsertTx(ctx, tx.SQL(), jobs.SMSCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID}, nil)
			again = res.Job
			return err
		}))
		again = waitJob(t, client, again.ID)
		require.Equal(t, rivertype.JobStateCompleted, again.State)
		require.Equal(t, 1, e.twilio.Requests())
		require.Empty(t, e.twilio.Messages())
	})
}

func TestSMSCode_TemporaryFailuresUntilLastAttemptMarkCodeFailed(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		client := e.startClient(t)
		e.twilio.FailWhen(func(string) (int, int, bool) { return http.StatusServiceUnavailable, 0, true })

		c, job := e.newCode(t, client, db.ChannelSMS, "+447700900123", 10*time.Minute)
		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateDiscarded, job.State)
		require.Len(t, job.Errors, 8)
		require.Equal(t, 8, e.twilio.Requests(), "a temporary failure is retried up to MaxAttempts")

		stored := e.code(t, c.ID)
		require.NotNil(t, stored.SendFailedAt)
		require.Contains(t, stored.SendError, "gave up after 8 attempts")
		require.Contains(t, stored.SendError, "HTTP 503")
	})
}

// TestSMSCode_DeliveredDespiteFailuresRestartAndExpiry sends codes while
// Twilio fails some requests, hangs on one, and the job client is stopped
// hard mid-run and replaced. Every code is delivered, a code that expires
// while failing is never sent, and the duplicates a lost response causes
// carry codes that no longer work.
func TestSMSCode_DeliveredDespiteFailuresRestartAndExpiry(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newCodeEnv(t, d)
		e.cfg.MaxWorkers = 4 // some jobs wait for a worker when the client stops

		const n = 10
		var recipients []string
		for i := range n {
			recipients = append(recipients, fmt.Sprintf("+1555010%04d", i))
		}
		const expiring = "+15550109999"
		hung := recipients[0]

		// Twilio's behaviour, by recipient and attempt:
		//   - hung: the first request hangs until released, then is
		//     accepted; by then its job gave up (the client stopped), so
		//     the message is out but not recorded;
		//   - expiring: every request fails with 503; the second moves the
		//     workers' clock past the code's expiry;
		//   - every other recipient: the first request fails with 503.
		var (
			mu        sync.Mutex
			requests  = map[string]int{}
			blocked   = make(chan struct{})
			release   = make(chan struct{})
			releaseMu sync.Once
		)
		// Runs before the fake Twilio's own cleanup, which waits for its
		// requests.
		t.Cleanup(func() { releaseMu.Do(func() { close(release) }) })
		odd := map[string]bool{}
		for i, r := range recipients {
			odd[r] = i%2 == 1
		}
		e.twilio.FailWhen(func(to string) (int, int, bool) {
			mu.Lock()
			requests[to]++
			attempt := requests[to]
			mu.Unlock()
			switch {
			case to == hung && attempt == 1:
				close(blocked)
				<-release
				return 0, 0, false
			case to == expiring:
				if attempt == 2 {
					e.clock.Advance(2 * time.Minute)
				}
				return http.StatusServiceUnavailable, 0, true
			case odd[to] && attempt == 1:
				return http.StatusServiceUnavailable, 0, true
			}
			return 0, 0, false
		})

		started := time.Now()
		first := e.startClient(t)
		codes, _ := e.newCodes(t, first, db.ChannelSMS, recipients, 10*time.Minute)
		expiringCode, _ := e.newCode(t, first, db.ChannelSMS, expiring, time.Minute)

		select {
		case <-blocked:
		case <-time.After(30 * time.Second):
			t.Fatal("the hung recipient's job never reached Twilio")
		}
		// A hard stop, as close to a crash as River allows: running jobs
		// see their contexts cancelled.
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		require.NoError(t, first.StopAndCancel(stopCtx))
		releaseMu.Do(func() { close(release) })
		require.Eventually(t, func() bool { return len(messagesTo(e, hung)) == 1 }, 10*time.Second, 5*time.Millisecond,
			"Twilio accepts the hung request after the client gave up on it")

		t.Logf("first client stopped after %s", time.Since(started))
		second := e.startClient(t)
		all := waitJobs(t, second, "sms_code")
		t.Logf("all jobs done after %s", time.Since(started))
		require.Len(t, all, n+1)
		for _, j := range all {
			require.Equal(t, rivertype.JobStateCompleted, j.State, "job %d errors: %+v", j.ID, j.Errors)
		}

		// The code that expired while failing was never sent: both of its
		// requests failed and the run after its expiry sent nothing.
		require.Empty(t, messagesTo(e, expiring))
		mu.Lock()
		require.Equal(t, 2, requests[expiring])
		mu.Unlock()
		if c, err := d.ForTenant(e.tenant.ID).Codes().Get(ctx, expiringCode.ID); err == nil {
			require.Nil(t, c.SentAt)
			require.Nil(t, c.SendFailedAt)
		} else {
			require.ErrorIs(t, err, db.ErrNotFound, "deleted as expired by the cleanup job, or there")
		}

		// Every other code arrived, before it expired, and the latest
		// message of each row carries the code that works; an earlier
		// message (a duplicate) carries a code, which no longer works.
		var values []string
		duplicates := 0
		for i, c := range codes {
			msgs := messagesTo(e, recipients[i])
			require.NotEmpty(t, msgs, "recipient %d got no message", i)
			stored := e.code(t, c.ID)
			require.NotNil(t, stored.SentAt)
			require.True(t, stored.SentAt.Before(stored.ExpiresAt), "sent after its expiry")
			latest := msgs[len(msgs)-1]
			require.Equal(t, latest.SID, stored.ProviderMessageID)
			latestValue := codeIn(t, latest.Body)
			for _, dup := range msgs[:len(msgs)-1] {
				duplicates++
				v := codeIn(t, dup.Body)
				values = append(values, v)
				if v == latestValue {
					continue // one chance in a million
				}
				_, err := d.ForTenant(e.tenant.ID).Codes().Check(ctx, c.ID, v, e.clock.Now())
				require.ErrorIs(t, err, db.ErrCodeWrong, "a duplicate's code must not work")
			}
			_, err := d.ForTenant(e.tenant.ID).Codes().Check(ctx, c.ID, latestValue, e.clock.Now())
			require.NoError(t, err, "recipient %d: the latest code must work", i)
			values = append(values, latestValue)
		}
		require.Len(t, messagesTo(e, hung), 2, "the hung request's message, then the retry's")
		t.Logf("%d codes delivered across a hard restart: Twilio saw %d requests and accepted %d messages, %d of them duplicates",
			n, e.twilio.Requests(), len(e.twilio.Messages()), duplicates)

		requireNoCodeInLogs(t, e.logs, values)
	})
}

func TestCodeJob_NoLogLineOrErrorHoldsTheCodeEvenWhenTheProviderQuotesIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		leaky := &leakySender{permanentTo: "+447700900999", calls: map[string]int{}}
		e.cfg.Senders = jobs.StaticSenders{SMSSender: leaky}
		client := e.startClient(t)

		retried, retriedJob := e.newCode(t, client, db.ChannelSMS, "+447700900123", 10*time.Minute)
		failed, failedJob := e.newCode(t, client, db.ChannelSMS, "+447700900999", 10*time.Minute)
		retriedJob = waitJob(t, client, retriedJob.ID)
		failedJob = waitJob(t, client, failedJob.ID)
		require.Equal(t, rivertype.JobStateCompleted, retriedJob.State)
		require.Equal(t, rivertype.JobStateCancelled, failedJob.State)

		leaky.mu.Lock()
		var values []string
		for _, b := range leaky.bodies {
			values = append(values, codeIn(t, b))
		}
		leaky.mu.Unlock()
		require.Len(t, values, 3, "two sends of the retried code, one of the failed")

		// Not in River's record of the job's errors...
		for _, j := range []*rivertype.JobRow{retriedJob, failedJob} {
			require.NotEmpty(t, j.Errors)
			for _, jobErr := range j.Errors {
				require.Contains(t, jobErr.Error, "code is [code]")
				for _, v := range values {
					require.NotContains(t, jobErr.Error, v)
				}
			}
		}
		// ...nor on the failed code...
		stored := e.code(t, failed.ID)
		require.Contains(t, stored.SendError, "code is [code]")
		for _, v := range values {
			require.NotContains(t, stored.SendError, v)
		}
		require.NotNil(t, e.code(t, retried.ID).SentAt)
		// ...nor in any log line, River's included.
		requireNoCodeInLogs(t, e.logs, values)
	})
}

func TestSMSCode_SentAsTheClientStopsIsRecordedNotSentAgain(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		stalling := &stallingSender{sending: make(chan struct{})}
		e.cfg.Senders = jobs.StaticSenders{SMSSender: stalling}
		first := e.startClient(t)

		c, job := e.newCode(t, first, db.ChannelSMS, "+447700900123", 10*time.Minute)
		select {
		case <-stalling.sending:
		case <-time.After(30 * time.Second):
			t.Fatal("the job never sent")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, first.StopAndCancel(ctx))

		// The provider took the message after the job's context ended:
		// the outcome is still recorded, so no retry sends a second code.
		stored := e.code(t, c.ID)
		require.NotNil(t, stored.SentAt)
		require.Equal(t, "SMstalled", stored.ProviderMessageID)
		second := e.startClient(t)
		job = waitJob(t, second, job.ID)
		require.Equal(t, rivertype.JobStateCompleted, job.State)
		require.Empty(t, job.Errors)
		require.Equal(t, 1, stalling.calls)
	})
}

func TestCodeJob_WrongChannelIsCancelledAndLeavesCodeUnissued(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		client := e.startClient(t)

		// An email code with an SMS job: a bug elsewhere, never a text.
		now := e.clock.Now()
		c := &db.Code{Purpose: "sign_in", Channel: db.ChannelEmail, Recipient: "ada@example.com", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
		var job *rivertype.JobRow
		require.NoError(t, d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
			if err := tx.ForTenant(e.tenant.ID).Codes().Create(ctx, c, now); err != nil {
				return err
			}
			res, err := client.InsertTx(ctx, tx.SQL(), jobs.SMSCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID}, nil)
			job = res.Job
			return err
		}))
		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateCancelled, job.State)
		require.Contains(t, job.Errors[0].Error, "channel")
		require.Zero(t, e.twilio.Requests())
		require.Empty(t, e.smtp.Messages())

		stored := e.code(t, c.ID)
		require.Empty(t, stored.CodeHash, "the issue rolled back")
		require.Nil(t, stored.SentAt)
		require.Nil(t, stored.SendFailedAt)
	})
}

func TestConfig_DefaultSendersAreADevelopmentOutbox(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		e.cfg.Senders = nil
		e.cfg = e.cfg.WithDefaults()
		sms, err := e.cfg.Senders.SMS(context.Background(), e.tenant.ID)
		require.NoError(t, err)
		outbox, ok := sms.(*delivery.Outbox)
		require.True(t, ok, "default SMS sender is %T", sms)
		email, err := e.cfg.Senders.Email(context.Background(), e.tenant.ID)
		require.NoError(t, err)
		require.Same(t, outbox, email)

		client := e.startClient(t)
		c, job := e.newCode(t, client, db.ChannelSMS, "+447700900123", 10*time.Minute)
		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateCompleted, job.State)
		msgs := outbox.Messages()
		require.Len(t, msgs, 1)
		require.Equal(t, msgs[0].ID, e.code(t, c.ID).ProviderMessageID)
		require.Contains(t, e.logs.String(), "outbox: message kept")
		requireNoCodeInLogs(t, e.logs, []string{codeIn(t, msgs[0].Body)})
	})
}

func TestStaticSenders_MissingChannelFailsPermanently(t *testing.T) {
	t.Parallel()
	_, err := jobs.StaticSenders{}.SMS(context.Background(), uuid.New())
	require.True(t, delivery.IsPermanent(err), "err = %v", err)
	_, err = jobs.StaticSenders{}.Email(context.Background(), uuid.New())
	require.True(t, delivery.IsPermanent(err), "err = %v", err)
}
