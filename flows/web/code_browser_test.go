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

// TestEmailCodeSignIn_ThroughThePage: a person picks "Email verification
// code", the code arrives through the background job, and typing it signs
// them in; a wrong code does not.
func TestEmailCodeSignIn_ThroughThePage(t *testing.T) {
	t.Parallel()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.mail = outbox
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email = "coder@example.com"
	u := acme.newEmailUser(t, email, "")

	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="email_code"]`)
	tab.Click(t, `#method-list button[data-method="email_code"]`)
	tab.WaitVisible(t, "#code")
	require.Equal(t, "We sent a code to "+email+". It works for 10 minutes.", tab.Text(t, "#code-sent"))

	// The job delivers the code within moments.
	codeRe := regexp.MustCompile(`\b([0-9]{6})\b`)
	var code string
	require.Eventually(t, func() bool {
		for _, m := range outbox.Messages() {
			if m.To == email {
				if found := codeRe.FindStringSubmatch(m.Body); found != nil {
					code = found[1]
					return true
				}
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	tab.Type(t, "#code", wrong)
	tab.Click(t, "#code-submit")
	tab.WaitText(t, "#code-error", "That code is not right or was already used. Enter a new code, or try another method to verify.")
	require.Empty(t, acme.sessions(t, u.ID))

	tab.Type(t, "#code", code)
	tab.Click(t, "#code-submit")
	acme.waitAccount(t, tab)
	sessions := acme.sessions(t, u.ID)
	require.Len(t, sessions, 1)
	require.Equal(t, "otp", sessions[0].AMR)
	requireOnlyOwnHost(t, acme.origin, tab.Requests())
}
