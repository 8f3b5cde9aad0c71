package web_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/delivery"
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

var outboxCode = regexp.MustCompile(`\b([0-9]{6})\b`)

// sent returns how many messages went to to.
func (s *codeSite) sent(to string) int {
	n := 0
	for _, m := range s.outbox.Messages() {
		if m.To == to {
			n++
		}
	}
	return n
}

// code waits for a message to to beyond the before-th and returns the code
// in the newest one.
func (s *codeSite) code(t *testing.T, to string, before int) string {
	t.Helper()
	var code string
	require.Eventually(t, func() bool {
		if s.sent(to) <= before {
			return false
		}
		for _, m := range s.outbox.Messages() { // newest first
			if m.To == to {
				if found := outboxCode.FindStringSubmatch(m.Body); found != nil {
					code = found[1]
					return true
				}
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "no code delivered to %s", to)
	return code
}

// signUpByEmailCode fills the sign-up form with email, presses Continue and
// types the code the email brings.
func (s *codeSite) signUpByEmailCode(t *testing.T, tab *browser.Tab, email string) {
	t.Helper()
	tab.Navigate(t, s.url("/sign-up"))
	tab.Type(t, "#identifier", email)
	before := s.sent(email)
	tab.Click(t, "#sign-up-continue")
	tab.WaitVisible(t, "#verify-code")
	require.Equal(t, "We sent a code in an email to "+email+". It works for 10 minutes.", tab.Text(t, "#verify-sent"))
	tab.Type(t, "#verify-code", s.code(t, email, before))
	tab.Click(t, "#verify-submit")
}
