package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testserver"
)

// member is a tenant's user with a passkey on a software device, and the
// HTTP client that signs them in on the tenant's host.
type member struct {
	slug   string
	origin string
	userID string
	rp     vw.RelyingParty
	device *flowtest.Device
	// signing serializes the device: it sets its signing key up lazily.
	signing sync.Mutex
	http    *http.Client
}

// newMember creates tenant slug and a user with a registered passkey,
// straight in the database: the test measures sign-ins, not sign-ups.
func newMember(t *testing.T, srv *testserver.Server, slug string) *member {
	t.Helper()
	ctx := context.Background()
	tn := srv.CreateTenant(t, slug, slug)
	handle := []byte(fmt.Sprintf("%-32s", slug))
	m := &member{
		slug: slug, origin: srv.URL(slug), device: flowtest.NewDevice(handle),
		rp: vw.RelyingParty{Name: slug, ID: slug + ".localhost", Origin: srv.URL(slug)},
	}
	user := &db.User{WebAuthnHandle: handle, DisplayName: slug + "@example.com"}
	require.NoError(t, srv.DB.ForTenant(tn.ID).Users().Create(ctx, user, &db.Identifier{Kind: db.IdentifierEmail, Value: slug + "@example.com"}))
	pk := passkey.NewService(srv.Tenants, clock.Real{}, nil)
	reg := passkey.Registrant{Handle: handle, Name: slug + "@example.com"}
	opts, c, err := pk.BeginRegistration(tn, reg)
	require.NoError(t, err)
	cred, err := pk.FinishRegistration(ctx, tn, c, reg, []byte(m.device.Create(t, m.rp, opts.PublicKey)), "", "")
	require.NoError(t, err)
	cred.UserID = user.ID
	require.NoError(t, srv.DB.ForTenant(tn.ID).Credentials().Create(ctx, cred))
	m.userID = user.ID.String()

	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	m.http = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
		},
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 5 * time.Second,
	}}
	t.Cleanup(m.http.CloseIdleConnections)
	return m
}

// outcome is one sign-in's result.
type outcome struct {
	// signedIn: both steps answered 2xx and the finish named the user.
	signedIn bool
	// refused: a step was refused 429 or 503 with Retry-After.
	refused bool
	// status is the refusal's status; err a wrong answer (a 500, a
	// refusal without Retry-After, a session for someone else).
	status  int
	err     error
	latency time.Duration
}

// signIn signs in as "Continue with passkey" does: passkey.begin, then
// passkey.finish with the device's answer.
func (m *member) signIn(t *testing.T) outcome {
	start := time.Now()
	o := m.steps(t)
	o.latency = time.Since(start)
	return o
}

func (m *member) steps(t *testing.T) outcome {
	status, body, o := m.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, "")
	if status != http.StatusCreated {
		return o
	}
	var begun struct {
		Flow struct {
			Token string `json:"token"`
		} `json:"flow"`
		Result struct {
			Passkey struct {
				PublicKey json.RawMessage `json:"publicKey"`
			} `json:"passkey"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &begun); err != nil || begun.Flow.Token == "" {
		return outcome{err: fmt.Errorf("begin answered %s", body)}
	}
	m.signing.Lock()
	answer := json.RawMessage(m.device.Get(t, m.rp, begun.Result.Passkey.PublicKey))
	m.signing.Unlock()
	status, body, o = m.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": answer}, begun.Flow.Token)
	if status != http.StatusOK {
		return o
	}
	var done struct {
		Result struct {
			UserID string `json:"user_id"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &done); err != nil || done.Result.UserID != m.userID {
		return outcome{err: fmt.Errorf("finish signed in someone else: %s", body)}
	}
	return outcome{signedIn: true}
}

// post sends one step; the outcome is set unless the step succeeded with
// the status the caller checks.
func (m *member) post(path string, body any, flow string) (int, []byte, outcome) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, m.origin+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", m.origin)
	if flow != "" {
		req.Header.Set("X-Sesame-Flow", flow)
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return 0, nil, outcome{err: fmt.Errorf("%s: %w", path, err)}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, outcome{err: fmt.Errorf("%s: %w", path, err)}
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		return resp.StatusCode, out, outcome{}
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if resp.Header.Get("Retry-After") == "" {
			return resp.StatusCode, out, outcome{err: fmt.Errorf("%s: %d without Retry-After: %s", path, resp.StatusCode, out)}
		}
		return resp.StatusCode, out, outcome{refused: true, status: resp.StatusCode}
	}
	return resp.StatusCode, out, outcome{err: fmt.Errorf("%s: %d %s", path, resp.StatusCode, out)}
}
