package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/app"
	faketwilio "github.com/sesame-id/sesame/internal/fake/twilio"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

const qProviders = `{ tenant { settingsVersion settings { providers {
	sms { provider accountSid authTokenSet from messagingServiceSid }
	email { provider host port tls username passwordSet from } } } } }`

func TestProviders_SecretsAreWriteOnlyAndTestMessagesGoThroughTheProvider(t *testing.T) {
	t.Parallel()
	tw := faketwilio.Start(t)
	e := newAPIEnvWith(t, testdb.SQLite, testserver.Options{Providers: app.SendersConfig{TwilioHTTPClient: tw.HTTPClient()}}, nil)
	p := e.acme
	ctx := context.Background()

	d := e.ok(t, p, admin, qProviders, nil)
	require.Equal(t, "OUTBOX", path(d, "tenant", "settings", "providers", "sms", "provider"))
	v := path(d, "tenant", "settingsVersion")

	// A test message through the development outbox.
	const send = `mutation($c: Channel!, $to: String!) { sendTestMessage(channel: $c, to: $to) { messageId } }`
	d = e.ok(t, p, admin, send, map[string]any{"c": "EMAIL", "to": "ops@acme.example"})
	require.NotEmpty(t, path(d, "sendTestMessage", "messageId"))
	require.Equal(t, "ops@acme.example", e.outbox.Messages()[0].To)
	a := e.post(t, p.host, admin, p, send, map[string]any{"c": "SMS", "to": "ops@acme.example"})
	require.Equal(t, "invalid_input", a.code())
	require.Equal(t, "to", a.errors[0].Extensions["field"])

	// Twilio with a bad SID: a field error, nothing saved.
	const update = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { settingsVersion settings { providers { sms { provider accountSid authTokenSet from } } } } }`
	a = e.post(t, p.host, admin, p, update, map[string]any{"in": map[string]any{"version": v,
		"providers": map[string]any{"sms": map[string]any{"provider": "TWILIO", "accountSid": "nope", "authToken": "x", "from": "+14155550100"}}}})
	require.Equal(t, "invalid_input", a.code())
	require.Contains(t, a.errors[0].Extensions["field"], "providers.sms")

	sid, token := tw.AddAccount()
	d = e.ok(t, p, admin, update, map[string]any{"in": map[string]any{"version": v,
		"providers": map[string]any{"sms": map[string]any{"provider": "TWILIO", "accountSid": sid, "authToken": token, "from": "+14155550100"}}}})
	require.Equal(t, true, path(d, "updateSettings", "settings", "providers", "sms", "authTokenSet"))
	require.NotContains(t, fmt.Sprint(e.ok(t, p, admin, qProviders, nil)), token, "the token is never shown")

	// Saving again without the token keeps it.
	v = path(d, "updateSettings", "settingsVersion")
	e.ok(t, p, admin, update, map[string]any{"in": map[string]any{"version": v,
		"providers": map[string]any{"sms": map[string]any{"provider": "TWILIO", "accountSid": sid, "from": "+14155550199"}}}})
	stored, err := e.srv.Tenants.BySlug(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, token, stored.Settings.Providers.SMS.AuthToken)
	require.Equal(t, "+14155550199", stored.Settings.Providers.SMS.From)

	// The test SMS reaches Twilio under acme's account.
	d = e.ok(t, p, admin, send, map[string]any{"c": "SMS", "to": "+1 415 555 0123"})
	msgs := tw.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, "+14155550123", msgs[0].To)
	require.Equal(t, sid, msgs[0].AccountSID)
	require.Equal(t, msgs[0].SID, path(d, "sendTestMessage", "messageId"))

	// A provider failure is reported, without the credentials.
	tw.FailNext(1, 400, 21211)
	a = e.post(t, p.host, admin, p, send, map[string]any{"c": "SMS", "to": "+14155550124"})
	require.Equal(t, "provider_error", a.code())
	require.NotContains(t, a.errors[0].Message, token)

	// At most ten an hour.
	for i := 3; i < graph.TestMessagesPerHour; i++ {
		e.ok(t, p, admin, send, map[string]any{"c": "EMAIL", "to": "ops@acme.example"})
	}
	a = e.post(t, p.host, admin, p, send, map[string]any{"c": "EMAIL", "to": "ops@acme.example"})
	require.Equal(t, "rate_limited", a.code())
}
