package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

var invitationLink = regexp.MustCompile(`(http://\S+/invitation)#(\S+)`)

// waitEmail waits for the outbox's email to to arrive and returns it.
func waitEmail(t *testing.T, outbox *delivery.Outbox, to string) delivery.OutboxMessage {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range outbox.Messages() {
			if m.Kind == delivery.KindEmail && m.To == to {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no email to %s", to)
	return delivery.OutboxMessage{}
}

// inviteThroughConsole invites email to slug as a platform owner through
// the console's management API and returns the invitation's link and token.
func inviteThroughConsole(t *testing.T, srv *testserver.Server, slug, email string) (delivery.OutboxMessage, string) {
	t.Helper()
	owner := signedInOwner(t, srv)
	require.Equal(t, "", gqlCode(t, owner, slug, `mutation { inviteUser(email: "`+email+`", name: "Ivy") { id } }`))
	m := waitEmail(t, srv.Outbox, email)
	found := invitationLink.FindStringSubmatch(m.Body)
	require.NotNil(t, found, m.Body)
	require.Equal(t, srv.URL(slug)+"/invitation", found[1], "the link opens the tenant's host")
	return m, found[2]
}

// TestInvitation_LinkWorksOnceUnder100ConcurrentRequests: 100 requests
// spend one invitation at once on PostgreSQL; exactly one signs in.
func TestInvitation_LinkWorksOnceUnder100ConcurrentRequests(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	_, token := inviteThroughConsole(t, srv, "acme", "ivy@example.com")

	client := newAPIClient(t, srv, "acme").http
	body, _ := json.Marshal(map[string]string{"token": token})
	const n = 100
	statuses := make([]int, n)
	cookies := make([]bool, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, err := http.NewRequest(http.MethodPost, srv.URL("acme")+"/api/invitation", bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", srv.URL("acme"))
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			cookies[i] = len(resp.Cookies()) > 0
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, s := range statuses {
		switch s {
		case http.StatusOK:
			won++
			require.True(t, cookies[i], "the winner is signed in")
		case http.StatusGone:
		default:
			t.Fatalf("request %d: status %d", i, s)
		}
	}
	require.Equal(t, 1, won, "an invitation link works once")
}

// TestInvitation_ExpiredOrWrongLinkIsRefused: after its 7 days the link
// signs in no one, and a made-up token neither; the email speaks the
// tenant's language.
func TestInvitation_ExpiredOrWrongLinkIsRefused(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(time.Now())
			srv := testserver.Start(t, b, testserver.Options{Clock: clk})
			srv.CreateTenant(t, "acme", "Acme")
			srv.SetSettings(t, "acme", func(st *tenants.Settings) { st.DefaultLocale = "es" })
			m, token := inviteThroughConsole(t, srv, "acme", "ivy@example.com")
			require.Equal(t, "Te han invitado a Acme", m.Subject)
			require.True(t, strings.Contains(m.Body, "7 días"), m.Body)

			c := newAPIClient(t, srv, "acme")
			r := c.post("/api/invitation", map[string]string{"token": token + "x"}, nil)
			require.Equal(t, http.StatusGone, r.status, string(r.body))
			require.Equal(t, "setup_link_invalid", r.errorCode(t))

			clk.Advance(7*24*time.Hour + time.Minute)
			r = c.post("/api/invitation", map[string]string{"token": token}, nil)
			require.Equal(t, http.StatusGone, r.status, string(r.body))
			require.Equal(t, "setup_link_invalid", r.errorCode(t))
		})
	}
}
