package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// codeSite is a tenant's hosted pages on a server whose codes go to an
// outbox the test reads, as a person reads their messages.
type codeSite struct {
	*hostedSite
	outbox *delivery.Outbox
}

// newCodeSite starts a server with an outbox and creates the tenant slug,
// with its settings as edit leaves them.
func newCodeSite(t *testing.T, slug, name string, edit func(s *tenants.Settings)) *codeSite {
	t.Helper()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	site := &codeSite{hostedSite: newHostedSite(t, srv, slug, name), outbox: outbox}
	site.mail = outbox
	next := site.tenant.Settings
	next.MFA.Factors = append([]string(nil), next.MFA.Factors...)
	edit(&next)
	tn, err := srv.Tenants.UpdateSettings(t.Context(), site.tenant, next, true)
	require.NoError(t, err)
	site.tenant = tn
	return site
}

// signUpByEmailCode fills the sign-up form with email, presses Continue and
// types the code the email brings.
func (s *codeSite) signUpByEmailCode(t *testing.T, tab *browser.Tab, email string) {
	t.Helper()
	tab.Navigate(t, s.url("/sign-up"))
	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(s.outbox, email)
	tab.Click(t, "#sign-up-continue")
	tab.WaitVisible(t, "#verify-code")
	require.Equal(t, "We sent a code in an email to "+email+". It works for 10 minutes.", tab.Text(t, "#verify-sent"))
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, s.outbox, email, before))
	tab.Click(t, "#verify-submit")
}
