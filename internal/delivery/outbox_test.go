package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
)

func TestOutbox_ListsNewestFirstAndKeepsOnlyTheLastN(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Size: 3, Clock: clk})
	require.Empty(t, outbox.Messages())

	var ids []string
	for i := range 5 {
		var id string
		var err error
		if i%2 == 0 {
			id, err = outbox.SendSMS(t.Context(), delivery.SMS{To: fmt.Sprintf("+1415555010%d", i), Body: fmt.Sprintf("code %d", i)})
		} else {
			id, err = outbox.SendEmail(t.Context(), delivery.Email{To: fmt.Sprintf("u%d@example.com", i), Subject: "Code", Text: fmt.Sprintf("code %d", i)})
		}
		require.NoError(t, err)
		ids = append(ids, id)
		clk.Advance(time.Minute)
	}
	require.Len(t, uniq(ids), 5)

	got := outbox.Messages()
	require.Equal(t, []delivery.OutboxMessage{
		{ID: ids[4], Kind: delivery.KindSMS, To: "+14155550104", Body: "code 4", SentAt: start.Add(4 * time.Minute)},
		{ID: ids[3], Kind: delivery.KindEmail, To: "u3@example.com", Subject: "Code", Body: "code 3", SentAt: start.Add(3 * time.Minute)},
		{ID: ids[2], Kind: delivery.KindSMS, To: "+14155550102", Body: "code 2", SentAt: start.Add(2 * time.Minute)},
	}, got)
	require.True(t, strings.HasPrefix(ids[0], "sms-"))
	require.True(t, strings.HasPrefix(ids[1], "email-"))

	// The list is a copy: changing it changes nothing kept.
	got[0].Body = "changed"
	require.Equal(t, "code 4", outbox.Messages()[0].Body)
}

func TestOutbox_ConcurrentSendsAndReadsAreSafe(t *testing.T) {
	t.Parallel()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Size: 50})

	// require may not stop the test from another goroutine: errors come
	// back on a channel.
	errs := make(chan error, 8*100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				var err error
				if i%2 == 0 {
					_, err = outbox.SendSMS(t.Context(), delivery.SMS{To: "+14155550100", Body: fmt.Sprintf("%d-%d", g, i)})
				} else {
					_, err = outbox.SendEmail(t.Context(), delivery.Email{To: "a@example.com", Text: fmt.Sprintf("%d-%d", g, i)})
				}
				errs <- err
				_ = outbox.Messages()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	got := outbox.Messages()
	require.Len(t, got, 50)
	ids := make([]string, 0, len(got))
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	require.Len(t, uniq(ids), 50)
}

func TestOutbox_LogsOneLinePerMessageWithoutSubjectOrBody(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Logger: logger})

	smsID, err := outbox.SendSMS(t.Context(), delivery.SMS{To: "+14155550100", Body: "Your code is 493817"})
	require.NoError(t, err)
	emailID, err := outbox.SendEmail(t.Context(), delivery.Email{To: "ada@example.com", Subject: "Code 771204", Text: "Your code is 582913"})
	require.NoError(t, err)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], smsID)
	require.Contains(t, lines[0], "+14155550100")
	require.Contains(t, lines[1], emailID)
	require.Contains(t, lines[1], "ada@example.com")
	for _, secret := range []string{"493817", "771204", "582913", "Your code"} {
		require.NotContains(t, logs.String(), secret)
	}
}

func TestOutbox_EmptyRecipientIsPermanent(t *testing.T) {
	t.Parallel()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})

	_, err := outbox.SendSMS(t.Context(), delivery.SMS{Body: "x"})
	require.True(t, delivery.IsPermanent(err))
	_, err = outbox.SendEmail(t.Context(), delivery.Email{To: " ", Text: "x"})
	require.True(t, delivery.IsPermanent(err))
	require.Empty(t, outbox.Messages())
}

func uniq(ss []string) map[string]bool {
	set := map[string]bool{}
	for _, s := range ss {
		set[s] = true
	}
	return set
}

// TestOutbox_ForTenantStampsEachMessageWithItsTenant: messages sent through
// a tenant's door carry the tenant, those sent on the outbox itself none,
// and they share one list.
func TestOutbox_ForTenantStampsEachMessageWithItsTenant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := delivery.NewOutbox(delivery.OutboxConfig{})
	acme, bravo := uuid.New(), uuid.New()
	_, err := o.ForTenant(acme).SendSMS(ctx, delivery.SMS{To: "+14155550101", Body: "acme"})
	require.NoError(t, err)
	_, err = o.ForTenant(bravo).SendEmail(ctx, delivery.Email{To: "b@example.com", Subject: "s", Text: "bravo"})
	require.NoError(t, err)
	_, err = o.SendSMS(ctx, delivery.SMS{To: "+14155550102", Body: "none"})
	require.NoError(t, err)
	_, err = o.ForTenant(acme).SendEmail(ctx, delivery.Email{To: " ", Text: "x"})
	require.True(t, delivery.IsPermanent(err), "an empty recipient is refused through a tenant's door too")

	got := map[string]uuid.UUID{}
	for _, m := range o.Messages() {
		got[m.Body] = m.TenantID
	}
	require.Equal(t, map[string]uuid.UUID{"acme": acme, "bravo": bravo, "none": uuid.Nil}, got)
}
