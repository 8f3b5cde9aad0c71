package jobs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/delivery"
	faketwilio "github.com/sesame-id/sesame/internal/fake/twilio"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

func TestTenantSenders_WithoutAnOutboxAnUnconfiguredTenantFailsForGood(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t, testdb.SQLite)
	ts := tenants.NewService(d, "localhost:8080")
	tn, err := ts.Create(ctx, "acme", "Acme")
	require.NoError(t, err)

	senders, err := jobs.NewTenantSenders(jobs.TenantSendersConfig{Tenants: ts})
	require.NoError(t, err)
	_, err = senders.SMS(ctx, tn.ID)
	require.True(t, delivery.IsPermanent(err), err)
	require.ErrorContains(t, err, "tenant acme has no SMS provider: providers.sms.provider is outbox, and only a development server has an outbox; set it to twilio")
	_, err = senders.Email(ctx, tn.ID)
	require.True(t, delivery.IsPermanent(err), err)
	require.ErrorContains(t, err, "providers.email.provider is outbox")

	// A development server hands it the outbox.
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	dev, err := jobs.NewTenantSenders(jobs.TenantSendersConfig{Tenants: ts, Outbox: outbox})
	require.NoError(t, err)
	sms, err := dev.SMS(ctx, tn.ID)
	require.NoError(t, err)
	_, err = sms.SendSMS(ctx, delivery.SMS{To: "+14155550199", Body: "Your code is 123456."})
	require.NoError(t, err)
	email, err := dev.Email(ctx, tn.ID)
	require.NoError(t, err)
	_, err = email.SendEmail(ctx, delivery.Email{To: "a@example.com", Subject: "Code", Text: "Your code is 654321."})
	require.NoError(t, err)
	// Each message is kept in the outbox as the tenant's.
	msgs := outbox.Messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		require.Equal(t, tn.ID, m.TenantID, m.ID)
	}
}

func TestTenantSenders_BuiltOncePerSettingsVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t, testdb.SQLite)
	ts := tenants.NewService(d, "localhost:8080")
	tn, err := ts.Create(ctx, "acme", "Acme")
	require.NoError(t, err)
	tw := faketwilio.Start(t)
	set := func(sid, token string) {
		next := tn.Settings
		next.Providers.SMS = tenants.SMSProvider{Provider: tenants.ProviderTwilio, AccountSID: sid, AuthToken: token, From: "+14155550101"}
		tn, err = ts.UpdateSettings(ctx, tn, next, false)
		require.NoError(t, err)
	}
	set(tw.AccountSID, tw.AuthToken)

	senders, err := jobs.NewTenantSenders(jobs.TenantSendersConfig{Tenants: ts, TwilioHTTPClient: tw.HTTPClient()})
	require.NoError(t, err)
	first, err := senders.SMS(ctx, tn.ID)
	require.NoError(t, err)
	again, err := senders.SMS(ctx, tn.ID)
	require.NoError(t, err)
	require.Same(t, first, again, "the same settings reuse the sender")

	sid, token := tw.AddAccount()
	set(sid, token)
	moved, err := senders.SMS(ctx, tn.ID)
	require.NoError(t, err)
	require.NotSame(t, first, moved)
	_, err = moved.SendSMS(ctx, delivery.SMS{To: "+14155550199", Body: "Your Acme code is 123456."})
	require.NoError(t, err)
	require.Equal(t, sid, tw.Messages()[0].AccountSID)
}
