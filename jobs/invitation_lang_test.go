package jobs_test

import (
	"context"
	"mime"
	"testing"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// An invitation comes from the console, never from the invitee's page:
// it speaks the invitee's preferred language, and the language the job
// carries (the inviting tenant's default) when they have none.
func TestInvitation_InTheInviteesLanguageElseTheJobs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newCodeEnv(t, d)
		client := e.startClient(t)
		users := d.ForTenant(e.tenant.ID).Users()
		ctx := context.Background()
		lucia := &db.User{WebAuthnHandle: []byte("lucia"), DisplayName: "Lucía", Locale: "es"}
		wei := &db.User{WebAuthnHandle: []byte("wei"), DisplayName: "Wei"}
		require.NoError(t, users.Create(ctx, lucia))
		require.NoError(t, users.Create(ctx, wei))

		for _, a := range []jobs.InvitationArgs{
			{TenantID: e.tenant.ID, UserID: lucia.ID, To: "lucia@example.com", TenantName: "Acme", Link: "https://acme.example/", Lang: "zh-CN"},
			{TenantID: e.tenant.ID, UserID: wei.ID, To: "wei@example.com", TenantName: "Acme", Link: "https://acme.example/", Lang: "zh-CN"},
		} {
			res, err := client.Insert(ctx, a, nil)
			require.NoError(t, err)
			job := waitJob(t, client, res.Job.ID)
			require.Equal(t, rivertype.JobStateCompleted, job.State, "errors: %+v", job.Errors)
		}
		var dec mime.WordDecoder
		got := map[string]string{}
		for _, m := range e.smtp.Messages() {
			subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
			require.NoError(t, err)
			got[m.To[0]] = subject
		}
		require.Equal(t, "Te han invitado a Acme", got["lucia@example.com"])
		require.Equal(t, "您受邀加入 Acme", got["wei@example.com"])
	})
}
