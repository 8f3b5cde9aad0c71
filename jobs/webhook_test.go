package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/webhook"
	"github.com/sesame-id/sesame/jobs"
)

// By default a webhook goes to public addresses only: a delivery to
// 127.0.0.1 is refused before any request is made, and logged as such.
func TestWebhookDeliveryWorker_RefusesAPrivateAddressByDefault(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		hits := 0
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits++ }))
		t.Cleanup(srv.Close)
		tn := testdb.Tenant(t, d, "acme")
		now := time.Now().UTC()
		ep := &db.WebhookEndpoint{URL: srv.URL, Events: "*", Enabled: true, Secret: webhook.NewSecret()}
		var del *db.WebhookDelivery
		require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			store := tx.ForTenant(tn.ID).Webhooks()
			if err := store.SaveEndpoint(ctx, ep, now); err != nil {
				return err
			}
			del = &db.WebhookDelivery{EndpointID: ep.ID, EventID: ep.ID, EventType: "webhook.test", Payload: "{}", Status: db.DeliveryPending, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
			return store.CreateDeliveries(ctx, []*db.WebhookDelivery{del})
		}))
		w := &jobs.WebhookDeliveryWorker{DB: d, HTTP: jobs.NewBackchannelHTTPClient(false), Clock: clock.Real{}, Backoff: time.Second, Logger: testLogger(t)}
		job := &river.Job[webhook.DeliveryArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: webhook.MaxAttempts},
			Args: webhook.DeliveryArgs{TenantID: tn.ID.String(), DeliveryID: del.ID.String()}}
		err := w.Work(ctx, job)
		require.ErrorContains(t, err, "not a public address")
		require.Zero(t, hits)
		got, err := d.ForTenant(tn.ID).Webhooks().Delivery(ctx, del.ID)
		require.NoError(t, err)
		require.Equal(t, db.DeliveryPending, got.Status, "retried later, an address may change")
		require.Equal(t, 1, got.Attempts)
		require.Contains(t, got.Error, "not a public address")
	})
}
