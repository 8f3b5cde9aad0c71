package jobs_test

import (
	"context"
	"mime"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// A tenant's own template words its code messages in the languages it has
// one for; the others keep Sesame's words.
func TestCodeMessages_UseTheTenantsTemplate(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newCodeEnv(t, d)
		s := tenants.DefaultSettings()
		s.Messages.Templates = map[string]tenants.MessageTemplate{"es": {
			EmailSubject: "Acceso a {tenant}",
			EmailBody:    "Hola: tu clave es {code} y vale {minutes} minutos.",
			SMS:          "{tenant}: {code}",
		}}
		doc, err := s.Encode()
		require.NoError(t, err)
		_, err = d.ForTenant(e.tenant.ID).UpdateSettings(ctx, e.tenant.SettingsVersion, doc)
		require.NoError(t, err)
		client := e.startClient(t)

		enqueue := func(channel, recipient, lang string) *rivertype.JobRow {
			t.Helper()
			var row *rivertype.JobRow
			now := e.clock.Now()
			err := d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
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
			enqueue(db.ChannelEmail, "lucia@example.com", "es"),
			enqueue(db.ChannelSMS, "+34612345678", "es"),
			enqueue(db.ChannelSMS, "+14155550100", "en"),
		} {
			job = waitJob(t, client, job.ID)
			require.Equal(t, rivertype.JobStateCompleted, job.State, "errors: %+v", job.Errors)
		}

		bodies := map[string]string{}
		for _, m := range e.twilio.Messages() {
			bodies[m.To] = m.Body
		}
		require.Regexp(t, `^Acme: [0-9]{6}$`, bodies["+34612345678"])
		require.Regexp(t, `^Your Acme code is [0-9]{6}\. It expires in 10 minutes\.$`, bodies["+14155550100"], "no English template: Sesame's words")

		msgs := e.smtp.Messages()
		require.Len(t, msgs, 1)
		var dec mime.WordDecoder
		subject, err := dec.DecodeHeader(msgs[0].Header.Get("Subject"))
		require.NoError(t, err)
		require.Equal(t, "Acceso a Acme", subject)
		require.Regexp(t, `^Hola: tu clave es [0-9]{6} y vale 10 minutos\.$`, emailText(t, msgs[0]))
	})
}
