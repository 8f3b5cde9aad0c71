package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testserver"
)

// loopback is an HTTP client that dials every host (acme.localhost:PORT)
// on 127.0.0.1, keeps cookies like a browser and does not follow
// redirects, so a test sees each hop.
func loopback(t *testing.T, srv *testserver.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}
	return &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// rpContext is the context a relying party's libraries (go-oidc, oauth2)
// make their requests with: over a loopback client without cookies.
func rpContext(t *testing.T, srv *testserver.Server) context.Context {
	c := loopback(t, srv)
	c.Jar = nil
	c.CheckRedirect = nil
	ctx := gooidc.ClientContext(t.Context(), c)
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

// browser is a person's browser on one tenant host.
type browser struct {
	t      *testing.T
	srv    *testserver.Server
	origin string
	http   *http.Client
}

func newBrowser(t *testing.T, srv *testserver.Server, slug string) *browser {
	return &browser{t: t, srv: srv, origin: srv.URL(slug), http: loopback(t, srv)}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

// location is the Location header, resolved against base.
func (r response) location(t *testing.T, base string) *url.URL {
	t.Helper()
	loc := r.header.Get("Location")
	require.NotEmpty(t, loc, "want a redirect, got %d %s", r.status, r.body)
	b, err := url.Parse(base)
	require.NoError(t, err)
	u, err := b.Parse(loc)
	require.NoError(t, err)
	return u
}

// get fetches an absolute URL or a path on the browser's tenant.
func (b *browser) get(target string) response {
	b.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.origin + target
	}
	return b.do(http.MethodGet, target, nil, nil)
}

func (b *browser) post(path string, body any, headers map[string]string) response {
	b.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(b.t, err)
	h := map[string]string{"Content-Type": "application/json", "Origin": b.origin}
	for k, v := range headers {
		h[k] = v
	}
	return b.do(http.MethodPost, b.origin+path, bytes.NewReader(raw), h)
}

func (b *browser) do(method, target string, body io.Reader, headers map[string]string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, target, body)
	require.NoError(b.t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.http.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// device is a software authenticator with one passkey for a tenant.
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
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(string(publicKey))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(opts.UserID)
	d.auth.AddCredential(d.cred)
	return json.RawMessage(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

func (d *device) get(t *testing.T, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	opts, err := virtualwebauthn.ParseAssertionOptions(string(publicKey))
	require.NoError(t, err)
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}

func publicKeyOf(t *testing.T, r response) json.RawMessage {
	t.Helper()
	var out struct {
		Flow struct {
			Token string `json:"token"`
		} `json:"flow"`
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
	t.Helper()
	flow, _ := r.json(t)["flow"].(map[string]any)
	tok, _ := flow["token"].(string)
	require.NotEmpty(t, tok, string(r.body))
	return tok
}

var sixDigits = regexp.MustCompile(`\b([0-9]{6})\b`)

// signUp makes an account with a passkey on dev through the flow API (the
// email proved by the code the outbox receives); the browser is signed in
// afterwards.
func (b *browser) signUp(dev *device, email string) {
	t := b.t
	t.Helper()
	r := b.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := flowToken(t, r)
	var code string
	require.Eventually(t, func() bool {
		for _, m := range b.srv.Outbox.Messages() {
			if m.To == email {
				if found := sixDigits.FindStringSubmatch(m.Body); found != nil {
					code = found[1]
					return true
				}
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	r = b.post("/api/flows/sign-up/code.verify", map[string]any{"code": code}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = b.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": dev.create(t, publicKeyOf(t, r))}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = b.post("/api/flows/sign-up/two_step.skip", map[string]any{}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
}

// signInWithPasskey signs in through the flow API with dev's passkey, as
// the hosted page's "Continue with passkey" does.
func (b *browser) signInWithPasskey(dev *device) {
	t := b.t
	t.Helper()
	r := b.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := flowToken(t, r)
	r = b.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": dev.get(t, publicKeyOf(t, r))}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
}

// signInForRequest signs in as signInWithPasskey does, on the hosted page
// opened for the authorization request id (the page sends it with every
// step), and returns the finish's answer.
func (b *browser) signInForRequest(dev *device, id string) map[string]any {
	t := b.t
	t.Helper()
	h := map[string]string{"X-Sesame-Auth-Request": id}
	r := b.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, h)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	h["X-Sesame-Flow"] = flowToken(t, r)
	r = b.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": dev.get(t, publicKeyOf(t, r))}, h)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return r.json(t)
}
