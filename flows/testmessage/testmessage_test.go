package testmessage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/testmessage"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// refusingSMS is a provider that refuses every message with a text only
// the server may read.
type refusingSMS struct{}

func (refusingSMS) SendSMS(context.Context, delivery.SMS) (string, error) {
	return "", errors.New("account AC-secret-123 is suspended")
}

func TestTestMessage_AProviderRefusalIsLoggedAndAnsweredWithoutItsText(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var b [4]byte
		_, _ = rand.Read(b[:])
		tn, err := tenants.NewService(d, "localhost:8080").Create(ctx, "acme-"+hex.EncodeToString(b[:]), "Acme")
		require.NoError(t, err)
		var log bytes.Buffer
		s := &testmessage.Service{DB: d, Senders: jobs.StaticSenders{SMSSender: refusingSMS{}},
			Logger: slog.New(slog.NewTextHandler(&log, nil))}

		_, err = s.Send(ctx, tn, db.ChannelSMS, "+14155550123")
		require.ErrorIs(t, err, testmessage.ErrProviderFailed)
		require.NotContains(t, flows.Public(err).Message, "AC-secret-123")
		require.Contains(t, log.String(), "AC-secret-123", "the provider's answer is in the server log")
	})
}

func TestTestMessage_ATenantSendsAtMostPerHour(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var b [4]byte
		_, _ = rand.Read(b[:])
		tn, err := tenants.NewService(d, "localhost:8080").Create(ctx, "acme-"+hex.EncodeToString(b[:]), "Acme")
		require.NoError(t, err)
		outbox := delivery.NewOutbox(delivery.OutboxConfig{})
		s := &testmessage.Service{DB: d, Senders: jobs.StaticSenders{EmailSender: outbox}}
		for range testmessage.PerHour {
			_, err := s.Send(ctx, tn, db.ChannelEmail, "ops@acme.example")
			require.NoError(t, err)
		}
		_, err = s.Send(ctx, tn, db.ChannelEmail, "ops@acme.example")
		require.ErrorIs(t, err, testmessage.ErrRateLimited)
		_, err = s.Send(ctx, tn, db.ChannelEmail, "+14155550123")
		var input *tenants.InputError
		require.ErrorAs(t, err, &input)
		require.Equal(t, "to", input.Field)
	})
}
