package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/delivery"
	fakesmtp "github.com/sesame-id/sesame/internal/fake/smtp"
	faketwilio "github.com/sesame-id/sesame/internal/fake/twilio"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// syncBuffer collects a server's log lines from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sendCode asks the tenant's sign-in for a code to identifier, as a
// person picking "Email me a code" or "Text me a code" does.
func sendCode(t *testing.T, srv *testserver.Server, slug, identifier string) {
	t.Helper()
	c := newAPIClient(t, srv, slug)
	r := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": identifier}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r = c.post("/api/flows/sign-in/code.send", map[string]any{}, map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
}

// waitSMS waits for the fake Twilio to accept a message to the number.
func waitSMS(t *testing.T, tw *faketwilio.Server, to string) faketwilio.Message {
	t.Helper()
	var got faketwilio.Message
	require.Eventually(t, func() bool {
		for _, m := range tw.Messages() {
			if m.To == to {
				got = m
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "no SMS to %s", to)
	return got
}

func TestProviders_EachTenantSendsThroughItsOwnTwilioAccountAndSMTPRelay(t *testing.T) {
	t.Parallel()
	tw := faketwilio.Start(t)
	acmeSID, acmeToken := tw.AddAccount()
	bravoSID, bravoToken := tw.AddAccount()
	relay := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: "acme-mailer", Password: "relay-password-9f3k"})
	logs := &syncBuffer{}
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Providers: app.SendersConfig{
			TwilioHTTPClient: tw.HTTPClient(),
			SMTPDialAddr:     relay.Addr(),
			SMTPTLSConfig:    relay.TLSConfig(),
		},
	})
	srv.CreateTenant(t, "acme", "Acme")
	srv.CreateTenant(t, "bravo", "Bravo")
	srv.SetSettings(t, "acme", func(s *tenants.Settings) {
		s.Providers.SMS = tenants.SMSProvider{Provider: tenants.ProviderTwilio, AccountSID: acmeSID, AuthToken: acmeToken, From: "+14155550101"}
		s.Providers.Email = tenants.EmailProvider{
			Provider: tenants.ProviderSMTP, Host: "localhost", Port: 587, TLS: delivery.SMTPStartTLS,
			Username: "acme-mailer", Password: "relay-password-9f3k", From: "Acme <no-reply@acme.example>",
		}
	})
	srv.SetSettings(t, "bravo", func(s *tenants.Settings) {
		s.Providers.SMS = tenants.SMSProvider{Provider: tenants.ProviderTwilio, AccountSID: bravoSID, AuthToken: bravoToken, From: "+14155550202"}
	})

	// Each tenant's SMS goes out under its own account and sender.
	sendCode(t, srv, "acme", "+14155550111")
	sendCode(t, srv, "bravo", "+14155550222")
	m := waitSMS(t, tw, "+14155550111")
	require.Equal(t, acmeSID, m.AccountSID)
	require.Equal(t, "+14155550101", m.From)
	require.Contains(t, m.Body, "Acme")
	m = waitSMS(t, tw, "+14155550222")
	require.Equal(t, bravoSID, m.AccountSID)
	require.Equal(t, "+14155550202", m.From)
	require.Contains(t, m.Body, "Bravo")

	// Acme's email goes through its relay, authenticated over TLS, from
	// its sender.
	sendCode(t, srv, "acme", "ana@example.com")
	require.Eventually(t, func() bool { return len(relay.Messages()) == 1 }, 15*time.Second, 20*time.Millisecond)
	mail := relay.Messages()[0]
	require.Equal(t, "no-reply@acme.example", mail.From)
	require.Equal(t, []string{"ana@example.com"}, mail.To)
	require.Equal(t, `"Acme" <no-reply@acme.example>`, mail.Header.Get("From"))
	require.True(t, mail.TLS)
	require.Equal(t, "acme-mailer", mail.AuthUser)
	// Bravo kept the default, the development outbox.
	sendCode(t, srv, "bravo", "bo@example.com")
	require.Eventually(t, func() bool {
		for _, o := range srv.Outbox.Messages() {
			if o.To == "bo@example.com" {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	require.Len(t, relay.Messages(), 1)

	// Acme moves to another account and a Messaging Service: the next
	// code goes out under them.
	movedSID, movedToken := tw.AddAccount()
	const service = "MG0123456789abcdef0123456789abcdef"
	srv.SetSettings(t, "acme", func(s *tenants.Settings) {
		s.Providers.SMS = tenants.SMSProvider{Provider: tenants.ProviderTwilio, AccountSID: movedSID, AuthToken: movedToken, MessagingServiceSID: service}
	})
	sendCode(t, srv, "acme", "+14155550333")
	m = waitSMS(t, tw, "+14155550333")
	require.Equal(t, movedSID, m.AccountSID)
	require.Equal(t, service, m.MessagingServiceSID)
	require.Empty(t, m.From)

	// No secret reached a log line, though every send was logged.
	out := logs.String()
	require.Contains(t, out, "code sent")
	for _, secret := range []string{acmeToken, bravoToken, movedToken, "relay-password-9f3k"} {
		require.NotContains(t, out, secret)
	}
}

func TestProviders_BadSettingsAreRefusedWithTheField(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	for field, edit := range map[string]func(*tenants.Providers){
		"providers.sms.provider": func(p *tenants.Providers) { p.SMS.Provider = "carrier-pigeon" },
		"providers.sms.account_sid": func(p *tenants.Providers) {
			p.SMS = tenants.SMSProvider{Provider: "twilio", AccountSID: "AC123", AuthToken: "abc", From: "+14155550101"}
		},
		"providers.sms.auth_token": func(p *tenants.Providers) {
			p.SMS = tenants.SMSProvider{Provider: "twilio", AccountSID: "AC" + strings.Repeat("a", 32), From: "+14155550101"}
		},
		"providers.sms.from": func(p *tenants.Providers) {
			p.SMS = tenants.SMSProvider{Provider: "twilio", AccountSID: "AC" + strings.Repeat("a", 32), AuthToken: "abc"}
		},
		"providers.sms.messaging_service_sid": func(p *tenants.Providers) {
			p.SMS = tenants.SMSProvider{Provider: "twilio", AccountSID: "AC" + strings.Repeat("a", 32), AuthToken: "abc", MessagingServiceSID: "MG1"}
		},
		"providers.email.provider": func(p *tenants.Providers) { p.Email.Provider = "fax" },
		"providers.email.host":     func(p *tenants.Providers) { p.Email = tenants.EmailProvider{Provider: "smtp", From: "a@b.example"} },
		"providers.email.tls": func(p *tenants.Providers) {
			p.Email = tenants.EmailProvider{Provider: "smtp", Host: "smtp.example.com", TLS: "none", From: "a@b.example"}
		},
		"providers.email.from": func(p *tenants.Providers) {
			p.Email = tenants.EmailProvider{Provider: "smtp", Host: "smtp.example.com"}
		},
		"providers.email.username": func(p *tenants.Providers) {
			p.Email = tenants.EmailProvider{Provider: "smtp", Host: "smtp.example.com", Password: "pw-only-4u", From: "a@b.example"}
		},
	} {
		next := tn.Settings
		edit(&next.Providers)
		_, err := srv.Tenants.UpdateSettings(t.Context(), tn, next, false)
		var ie *tenants.InputError
		require.ErrorAs(t, err, &ie, field)
		require.Equal(t, field, ie.Field, ie.Error())
		require.NotContains(t, ie.Error(), "pw-only-4u")
	}
}
