package jobs_test

import (
	"context"
	"mime"
	"regexp"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// A code message speaks the language of the page that asked for it; a job
// with no language (enqueued by an older version) speaks English.
func TestCodeMessages_InTheLanguageTheJobCarries(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	e := newCodeEnv(t, d)
	client := e.startClient(t)

	enqueue := func(channel, recipient, lang string) *rivertype.JobRow {
		t.Helper()
		var row *rivertype.JobRow
		now := e.clock.Now()
		err := e.d.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
			c := &db.Code{Purpose: "sign_in", Channel: channel, Recipient: recipient, MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
			if err := tx.ForTenant(e.tenant.ID).Codes().Create(ctx, c, now); err != nil {
				return err
			}
			var args river.JobArgs = jobs.SMSCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID, Lang: lang}
			if channel == db.ChannelEmail {
				args = jobs.EmailCodeArgs{TenantID: e.tenant.ID, CodeID: c.ID, Lang: lang}
			}
			res, err := client.InsertTx(ctx, tx.SQL(), args, nil)
			row = res.Job
			return err
		})
		require.NoError(t, err)
		return row
	}

	for _, job := range []*rivertype.JobRow{
		enqueue(db.ChannelSMS, "+34612345678", "es"),
		enqueue(db.ChannelSMS, "+8613800138000", "zh-CN"),
		enqueue(db.ChannelSMS, "+14155550100", ""),
		enqueue(db.ChannelEmail, "lucia@example.com", "es"),
		enqueue(db.ChannelEmail, "wei@example.com", "zh-CN"),
	} {
		job = waitJob(t, client, job.ID)
		require.Equal(t, rivertype.JobStateCompleted, job.State, "errors: %+v", job.Errors)
	}

	bodies := map[string]string{}
	for _, m := range e.twilio.Messages() {
		bodies[m.To] = m.Body
	}
	require.Regexp(t, `^Tu código de Acme es [0-9]{6}\. Caduca en 10 minutos\.$`, bodies["+34612345678"])
	require.Regexp(t, `^您的 Acme 验证码是 [0-9]{6}。10 分钟后过期。$`, bodies["+8613800138000"])
	require.Regexp(t, `^Your Acme code is [0-9]{6}\. It expires in 10 minutes\.$`, bodies["+14155550100"])

	var dec mime.WordDecoder
	got := map[string][2]string{}
	for _, m := range e.smtp.Messages() {
		subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
		require.NoError(t, err)
		got[m.To[0]] = [2]string{subject, emailText(t, m)}
	}
	require.Equal(t, "Tu código de Acme", got["lucia@example.com"][0])
	require.Regexp(t, regexp.MustCompile(`^Tu código de Acme es [0-9]{6}\. Caduca en 10 minutos\.$`), got["lucia@example.com"][1])
	require.Equal(t, "您的 Acme 验证码", got["wei@example.com"][0])
	require.Regexp(t, `^您的 Acme 验证码是 [0-9]{6}。10 分钟后过期。$`, got["wei@example.com"][1])
}
