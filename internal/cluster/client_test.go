package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"time"

	"github.com/descope/virtualwebauthn"

	"github.com/sesame-id/sesame/internal/softkey"
)

// client talks to one tenant host through HAProxy as a browser would:
// cookies kept, the host dialled at HAProxy's address, Origin sent.
type client struct {
	origin string
	http   *http.Client
}

func (c *cluster) newClient(slug string) *client {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, c.proxy)
	}}
	return &client{origin: c.origin(slug), http: &http.Client{
		Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// answer is one response, with the node that served it.
type answer struct {
	status int
	node   string
	body   []byte
}

// lost reports whether the request never reached a node's handler, as far
// as the client can tell: no answer, or HAProxy's own 502, 503 or 504.
func (a answer) lost() bool {
	return a.status == 0 || a.status == http.StatusBadGateway || a.status == http.StatusServiceUnavailable || a.status == http.StatusGatewayTimeout
}

// post sends body as JSON with the flow token when one is given.
func (cl *client) post(path string, body any, flow string) (answer, error) {
	var rd io.Reader
	if raw, ok := body.(json.RawMessage); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(http.MethodPost, cl.origin+path, rd)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Origin", cl.origin)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if flow != "" {
		req.Header.Set("X-Sesame-Flow", flow)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, node: resp.Header.Get(nodeHeader), body: b}, err
}

// step posts and retries once when the request was lost on its way (a
// node stopping under it); it fails unless the answer is want.
func (cl *client) step(path string, body any, flow string, want int, retried *int) (answer, error) {
	a, err := cl.post(path, body, flow)
	if err != nil || a.lost() {
		*retried++
		a, err = cl.post(path, body, flow)
	}
	if err != nil {
		return a, fmt.Errorf("%s: %w", path, err)
	}
	if a.status != want {
		return a, fmt.Errorf("%s: status %d, want %d: %s", path, a.status, want, a.body)
	}
	return a, nil
}

// flowOf reads the flow token and state of a flow API answer, and the
// passkey options it hands out, if any.
func flowOf(a answer) (token, state string, publicKey json.RawMessage) {
	var out struct {
		Flow struct {
			Token string `json:"token"`
			State string `json:"state"`
		} `json:"flow"`
		Result struct {
			Passkey struct {
				PublicKey json.RawMessage `json:"publicKey"`
			} `json:"passkey"`
		} `json:"result"`
	}
	_ = json.Unmarshal(a.body, &out)
	return out.Flow.Token, out.Flow.State, out.Result.Passkey.PublicKey
}

// device is a software passkey device for one tenant.
type device struct {
	slug string
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func (c *cluster) newDevice(slug string) *device {
	return &device{
		slug: slug,
		rp:   virtualwebauthn.RelyingParty{Name: slug, ID: slug + ".localhost", Origin: c.origin(slug)},
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{BackupEligible: true, BackupState: true}),
		cred: softkey.NewEC2(),
	}
}

func (d *device) create(publicKey json.RawMessage) (json.RawMessage, error) {
	opts, err := virtualwebauthn.ParseAttestationOptions(string(publicKey))
	if err != nil {
		return nil, err
	}
	d.auth.Options.UserHandle = []byte(opts.UserID)
	d.auth.AddCredential(d.cred)
	return json.RawMessage(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts)), nil
}

func (d *device) get(options []byte) (json.RawMessage, error) {
	opts, err := virtualwebauthn.ParseAssertionOptions(string(options))
	if err != nil {
		return nil, err
	}
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts)), nil
}
