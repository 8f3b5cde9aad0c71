package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/internal/webhook"
	"github.com/sesame-id/sesame/jobs"
)

// receiver is a webhook endpoint on 127.0.0.1: it checks each request's
// signature against the secret it holds now, refuses the first failFirst
// requests with 503, then accepts, keeping what it accepted.
type receiver struct {
	mu        sync.Mutex
	secret    string
	old       []string
	failFirst int
	seen      int
	bad       int
	oldSigned int
	accepted  []webhook.Payload
	now       func() time.Time
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	sig := r.Header.Get(webhook.SignatureHeader)
	for _, o := range rc.old {
		if webhook.Verify(o, sig, body, rc.now()) == nil {
			rc.oldSigned++
		}
	}
	if err := webhook.Verify(rc.secret, sig, body, rc.now()); err != nil {
		rc.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.seen++
	if rc.seen <= rc.failFirst {
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	rc.accepted = append(rc.accepted, p)
}

func (rc *receiver) rotate(secret string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.old = append(rc.old, rc.secret)
	rc.secret = secret
}

func (rc *receiver) got() []webhook.Payload {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.accepted)
}

// eventually polls cond until it holds or 20s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const createWebhook = `mutation($in: WebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { id url events enabled } } }`
const qDeliveries = `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) { nodes { id eventId eventType status attempts responseCode error } pageInfo { hasNextPage } } }`

func TestWebhooks_SignedDeliveriesArriveOnceInOrderRetryRotateAndGiveUp(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			outbox := delivery.NewOutbox(delivery.OutboxConfig{})
			e := newAPIEnvWith(t, b, testserver.Options{WebhookBackoff: 20 * time.Millisecond,
				Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}}, outbox)
			p := e.acme
			rc := &receiver{failFirst: 2, now: e.clock.Now}
			srv := httptest.NewServer(rc)
			t.Cleanup(srv.Close)

			e.refused(t, p, admin, "invalid_input", createWebhook, map[string]any{"in": map[string]any{"url": "ftp://127.0.0.1/x", "events": []string{"*"}}})
			e.refused(t, p, admin, "invalid_input", createWebhook, map[string]any{"in": map[string]any{"url": srv.URL, "events": []string{"no.such"}}})
			d := e.ok(t, p, admin, createWebhook, map[string]any{"in": map[string]any{"url": srv.URL + "/hook", "events": []string{"*"}}})
			endpoint := path(d, "createWebhookEndpoint", "endpoint", "id").(string)
			rc.mu.Lock()
			rc.secret = path(d, "createWebhookEndpoint", "secret").(string)
			rc.mu.Unlock()
			require.NotContains(t, fmt_(e.ok(t, p, admin, `{ webhookEndpoints { id url events enabled } }`, nil)), rc.secret, "the secret is shown once")

			// Three users' events; one user's three in order.
			var users []string
			for _, email := range []string{"u1@acme.example", "u2@acme.example", "u3@acme.example"} {
				d := e.ok(t, p, admin, `mutation($e: String!) { createUser(input: {email: $e}) { id } }`, map[string]any{"e": email})
				users = append(users, path(d, "createUser", "id").(string))
			}
			e.ok(t, p, admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: true) { id } }`, map[string]any{"id": users[0]})
			e.ok(t, p, admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: false) { id } }`, map[string]any{"id": users[0]})
			eventually(t, "five events accepted", func() bool { return len(rc.got()) >= 5 })

			// Rotate: from now on only the new secret signs.
			d = e.ok(t, p, admin, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, map[string]any{"id": endpoint})
			rc.rotate(path(d, "rotateWebhookSecret", "secret").(string))
			e.ok(t, p, admin, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": users[1]})
			e.ok(t, p, admin, `mutation($id: ID!) { sendTestWebhook(id: $id) { id status } }`, map[string]any{"id": endpoint})
			eventually(t, "eight events accepted", func() bool { return len(rc.got()) >= 8 })

			// Every event of the audit log arrived once; one user's in order.
			time.Sleep(200 * time.Millisecond) // room for a duplicate to show
			got := rc.got()
			ids := map[string]int{}
			var first []string
			for _, pl := range got {
				ids[pl.ID]++
				if pl.UserID != nil && *pl.UserID == users[0] {
					first = append(first, pl.Type)
				}
			}
			events := e.auditPages(t, p, 100, nil)
			require.Len(t, events, 8)
			for _, ev := range events {
				if ev["type"] == "webhook.created" {
					// Recorded as the endpoint was made: no endpoint
					// wanted it yet.
					require.Zero(t, ids[ev["id"].(string)])
					continue
				}
				require.Equal(t, 1, ids[ev["id"].(string)], "event %s arrives once", ev["type"])
			}
			require.Len(t, got, 8, "the six events, the rotation and the test event, each once")
			require.Equal(t, []string{"user.created", "user.disabled", "user.enabled"}, first, "one user's events in order")
			require.True(t, slices.ContainsFunc(got, func(pl webhook.Payload) bool { return pl.Type == "webhook.test" }), "the test event arrived")
			rc.mu.Lock()
			require.Zero(t, rc.bad, "every request was signed with the secret of its time")
			require.Zero(t, rc.oldSigned, "after the rotation nothing is signed with the old secret")
			rc.mu.Unlock()

			log := e.ok(t, p, admin, qDeliveries, map[string]any{"id": endpoint})
			nodes := path(log, "webhookDeliveries", "nodes").([]any)
			require.Len(t, nodes, 8)
			for _, n := range nodes {
				require.Equal(t, "SUCCEEDED", path(n, "status"))
				require.Equal(t, 200.0, path(n, "responseCode"))
			}

			// An endpoint that keeps failing stops after its retries.
			down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) }))
			t.Cleanup(down.Close)
			d = e.ok(t, p, admin, createWebhook, map[string]any{"in": map[string]any{"url": down.URL, "events": []string{"api_key.created"}}})
			failing := path(d, "createWebhookEndpoint", "endpoint", "id").(string)
			e.ok(t, p, admin, `mutation { createAPIKey(name: "ci") { secret } }`, nil)
			var last any
			eventually(t, "the failing delivery gives up", func() bool {
				last = path(e.ok(t, p, admin, qDeliveries, map[string]any{"id": failing}), "webhookDeliveries", "nodes", 0)
				return path(last, "status") == "FAILED"
			})
			require.Equal(t, float64(webhook.MaxAttempts), path(last, "attempts"))
			require.Equal(t, 500.0, path(last, "responseCode"))
			require.Equal(t, "the endpoint answered 500", path(last, "error"))
			require.Equal(t, "api_key.created", path(last, "eventType"))
		})
	}
}

func fmt_(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
