package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/webhook"
)

// WebhookDeliveryWorker works webhook.DeliveryArgs: it posts the
// delivery's payload to its endpoint, signed with the endpoint's secret as
// it is now (so nothing is signed with a secret rotated away), and records
// each attempt in the delivery log. A delivery waits while an earlier one
// to the same endpoint about the same user is pending, so one user's events
// arrive in order. A 2xx answer delivers it; anything else is retried after
// Backoff·2^(attempt−1), up to webhook.MaxAttempts, then marked failed.
type WebhookDeliveryWorker struct {
	river.WorkerDefaults[webhook.DeliveryArgs]

	DB *db.DB
	// HTTP posts the deliveries (Config.WebhookHTTPClient).
	HTTP  *http.Client
	Clock clock.Clock
	// Backoff is the first retry's delay (Config.WebhookBackoff).
	Backoff time.Duration
	Logger  *slog.Logger
}

// maxWebhookBackoff caps the delay between two attempts.
const maxWebhookBackoff = time.Hour

// orderWait is how long a delivery waits for earlier ones about the same
// user: longer than the default retries of an earlier delivery take (about
// 42 minutes for 8 attempts from 10s).
const orderWait = 2 * time.Hour

// NextRetry doubles the delay at each attempt: Backoff, 2·Backoff, ...
func (w *WebhookDeliveryWorker) NextRetry(job *river.Job[webhook.DeliveryArgs]) time.Time {
	d := w.Backoff << min(job.Attempt-1, 20)
	return time.Now().Add(min(d, maxWebhookBackoff))
}

// Work posts one delivery.
func (w *WebhookDeliveryWorker) Work(ctx context.Context, job *river.Job[webhook.DeliveryArgs]) error {
	tenantID, err1 := uuid.Parse(job.Args.TenantID)
	id, err2 := uuid.Parse(job.Args.DeliveryID)
	if err := errors.Join(err1, err2); err != nil {
		return river.JobCancel(fmt.Errorf("webhook delivery: bad arguments: %w", err))
	}
	store := w.DB.ForTenant(tenantID).Webhooks()
	d, err := store.Delivery(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(errors.New("webhook delivery: gone (its endpoint was removed)"))
	}
	if err != nil {
		return err
	}
	if d.Status != db.DeliveryPending {
		return nil // done by an earlier run of this job
	}
	ep, err := store.Endpoint(ctx, d.EndpointID)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(errors.New("webhook delivery: its endpoint was removed"))
	}
	if err != nil {
		return err
	}
	// Waiting is bounded: a delivery older than orderWait goes out whatever
	// came before it, so one lost job cannot hold a user's events forever.
	if earlier, err := store.EarlierPending(ctx, d); (err != nil || earlier) && w.Clock.Now().Sub(d.CreatedAt) < orderWait {
		if err != nil {
			return err
		}
		return river.JobSnooze(max(min(w.Backoff, time.Second), 10*time.Millisecond))
	}
	code, postErr := w.post(ctx, ep, d)
	d.Attempts, d.ResponseCode, d.Error = job.Attempt, code, ""
	switch {
	case postErr == nil:
		d.Status = db.DeliverySucceeded
	case job.Attempt >= job.MaxAttempts:
		d.Status, d.Error = db.DeliveryFailed, postErr.Error()
	default:
		d.Error = postErr.Error()
	}
	if err := store.RecordAttempt(ctx, d, w.Clock.Now()); err != nil {
		return err
	}
	if postErr != nil {
		w.Logger.WarnContext(ctx, "webhook delivery failed", "tenant", tenantID, "delivery", d.ID, "attempt", job.Attempt, "status", code, "err", postErr)
	}
	return postErr
}

// post sends the delivery and returns the response's status code (0 when
// none came) and an error unless it was 2xx. The error names the status
// or the transport's failure, never the response body.
func (w *WebhookDeliveryWorker) post(ctx context.Context, ep *db.WebhookEndpoint, d *db.WebhookDelivery) (int, error) {
	body := []byte(d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sesame-Webhooks/1")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(ep.Secret, w.Clock.Now(), body))
	req.Header.Set(webhook.EventHeader, d.EventID.String())
	req.Header.Set(webhook.DeliveryHeader, d.ID.String())
	resp, err := w.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post webhook: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the endpoint answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
