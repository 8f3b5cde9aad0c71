package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	dto "github.com/prometheus/client_model/go"

	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testserver"
)

// client is a browser on one tenant host, dialling 127.0.0.1.
type client struct {
	t      *testing.T
	srv    *testserver.Server
	origin string
	http   *http.Client
}

func newClient(t *testing.T, srv *testserver.Server, slug string) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}
	return &client{t: t, srv: srv, origin: srv.URL(slug), http: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	body   []byte
}

func (c *client) do(method, target string, body io.Reader, headers map[string]string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, target, body)
	require.NoError(c.t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return response{status: resp.StatusCode, body: raw}
}

func (c *client) post(path string, body any, headers map[string]string) response {
	c.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(c.t, err)
	h := map[string]string{"Content-Type": "application/json", "Origin": c.origin}
	for k, v := range headers {
		h[k] = v
	}
	return c.do(http.MethodPost, c.origin+path, bytes.NewReader(raw), h)
}

// device is a software authenticator with one passkey.
type device struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice(srv *testserver.Server, slug string) *device {
	return &device{
		rp:   virtualwebauthn.RelyingParty{Name: slug, ID: slug + ".localhost", Origin: srv.URL(slug)},
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{BackupEligible: true, BackupState: true}),
		cred: softkey.NewEC2(),
	}
}

func (d *device) create(t *testing.T, publicKey json.RawMessage) json.RawMessage {
	opts, err := virtualwebauthn.ParseAttestationOptions(string(publicKey))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(opts.UserID)
	d.auth.AddCredential(d.cred)
	return json.RawMessage(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

func (d *device) get(t *testing.T, publicKey json.RawMessage) json.RawMessage {
	opts, err := virtualwebauthn.ParseAssertionOptions(string(publicKey))
	require.NoError(t, err)
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}

func publicKeyOf(t *testing.T, r response) json.RawMessage {
	var out struct {
		Result struct {
			Passkey struct {
				PublicKey json.RawMessage `json:"publicKey"`
			} `json:"passkey"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	require.NotEmpty(t, out.Result.Passkey.PublicKey, string(r.body))
	return out.Result.Passkey.PublicKey
}

func flowToken(t *testing.T, r response) string {
	var out struct {
		Flow struct {
			Token string `json:"token"`
		} `json:"flow"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	require.NotEmpty(t, out.Flow.Token, string(r.body))
	return out.Flow.Token
}

var sixDigits = regexp.MustCompile(`\b([0-9]{6})\b`)

// signUp makes an account with a passkey through the flow API; the email
// code it needs is a job the server works.
func (c *client) signUp(dev *device, email string) {
	t := c.t
	r := c.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := flowToken(t, r)
	var code string
	require.Eventually(t, func() bool {
		for _, m := range c.srv.Outbox.Messages() {
			if found := sixDigits.FindStringSubmatch(m.Body); m.To == email && found != nil {
				code = found[1]
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	flow := map[string]string{"X-Sesame-Flow": token}
	r = c.post("/api/flows/sign-up/code.verify", map[string]any{"code": code}, flow)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = c.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": dev.create(t, publicKeyOf(t, r))}, flow)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = c.post("/api/flows/sign-up/two_step.skip", map[string]any{}, flow)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
}

// signInWithPasskey signs in as "Continue with passkey" does.
func (c *client) signInWithPasskey(dev *device) {
	t := c.t
	r := c.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := flowToken(t, r)
	r = c.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": dev.get(t, publicKeyOf(t, r))}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
}

// scrape reads the metrics listener's page.
func scrape(t *testing.T, metricsURL string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(metricsURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"), resp.Header.Get("Content-Type"))
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// series returns the family's metrics whose labels include want.
func series(families map[string]*dto.MetricFamily, name string, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
	f, ok := families[name]
	if !ok {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// labelNames are the label names of the family's first metric.
func labelNames(t *testing.T, families map[string]*dto.MetricFamily, name string) []string {
	t.Helper()
	f, ok := families[name]
	require.True(t, ok, "no family %s", name)
	require.NotEmpty(t, f.GetMetric(), name)
	var out []string
	for _, l := range f.GetMetric()[0].GetLabel() {
		out = append(out, l.GetName())
	}
	return out
}

// errorCodeOf is a JSON error answer's code.
func errorCodeOf(t *testing.T, r response) string {
	var out struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out), string(r.body))
	require.NotEmpty(t, out.Error.Code, string(r.body))
	return out.Error.Code
}

func appTelemetry(tenantLabels bool) app.TelemetryConfig {
	return app.TelemetryConfig{TenantLabels: tenantLabels}
}
