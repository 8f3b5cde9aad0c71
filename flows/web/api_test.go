package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// apiClient talks to one tenant host of a test server like a browser
// would: cookies kept, *.localhost dialled on loopback, Origin sent.
type apiClient struct {
	t      *testing.T
	srv    *testserver.Server
	origin string
	http   *http.Client
	// sendOrigin controls the Origin header; browsers send it on POST.
	sendOrigin string
}

func newAPIClient(t *testing.T, srv *testserver.Server, slug string) *apiClient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(srv.BaseDomain)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}
	origin := srv.URL(slug)
	return &apiClient{t: t, srv: srv, origin: origin, sendOrigin: origin, http: &http.Client{
		Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r apiResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

func (r apiResponse) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	require.NotNil(t, e, "want an error response, got %s", r.body)
	return e["code"].(string)
}

func (c *apiClient) do(method, path string, body any, headers map[string]string) apiResponse {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.origin+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.sendOrigin != "" && method == http.MethodPost {
		req.Header.Set("Origin", c.sendOrigin)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return apiResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

func (c *apiClient) post(path string, body any, headers map[string]string) apiResponse {
	return c.do(http.MethodPost, path, body, headers)
}

// apiDevice is a software authenticator holding passkeys for one tenant.
type apiDevice struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newAPIDevice(srv *testserver.Server, slug string) *apiDevice {
	return &apiDevice{
		rp:   virtualwebauthn.RelyingParty{Name: slug, ID: slug + ".localhost", Origin: srv.URL(slug)},
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{BackupEligible: true, BackupState: true}),
		cred: softkey.NewEC2(),
	}
}

// create answers creation options (the publicKey JSON) with a new passkey.
func (d *apiDevice) create(t *testing.T, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(string(publicKey))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(opts.UserID)
	d.auth.AddCredential(d.cred)
	return json.RawMessage(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

// get answers request options with the apiDevice's passkey.
func (d *apiDevice) get(t *testing.T, publicKey json.RawMessage) json.RawMessage {
	t.Helper()
	opts, err := virtualwebauthn.ParseAssertionOptions(string(publicKey))
	require.NoError(t, err)
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}

func apiPublicKey(t *testing.T, r apiResponse) json.RawMessage {
	t.Helper()
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

func apiFlowToken(t *testing.T, r apiResponse) string {
	t.Helper()
	flow, _ := r.json(t)["flow"].(map[string]any)
	tok, _ := flow["token"].(string)
	require.NotEmpty(t, tok, string(r.body))
	return tok
}

// apiSignUp creates an account with a passkey on the apiDevice through the
// flow API, the email address identifier proved by the code the server's
// outbox receives. With the tenant's CAPTCHA on, captchas are the tokens
// for identify and code.verify.
func apiSignUp(t *testing.T, c *apiClient, dev *apiDevice, identifier string, captchas ...string) {
	t.Helper()
	captcha := func(i int, token string) map[string]string {
		h := map[string]string{}
		if token != "" {
			h["X-Sesame-Flow"] = token
		}
		if i < len(captchas) {
			h["X-Sesame-Captcha"] = captchas[i]
		}
		return h
	}
	email := strings.ToLower(identifier)
	before := flowtest.Sent(c.srv.Outbox, email)
	r := c.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": identifier}}, captcha(0, ""))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	require.Equal(t, "verify", r.json(t)["flow"].(map[string]any)["state"], "the address is proved before the passkey")
	r = c.post("/api/flows/sign-up/code.verify", map[string]any{"code": flowtest.CodeTo(t, c.srv.Outbox, email, before)}, captcha(1, token))
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "passkey", r.json(t)["flow"].(map[string]any)["state"])
	resp := dev.create(t, apiPublicKey(t, r))
	r = c.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": resp}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	// The default tenant offers 2-step verification; skip it, with the
	// session cookie passkey.finish set.
	require.Equal(t, "two_step", r.json(t)["flow"].(map[string]any)["state"])
	r = c.post("/api/flows/sign-up/two_step.skip", map[string]any{}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "done", r.json(t)["flow"].(map[string]any)["state"])
}

func apiCookie(t *testing.T, r apiResponse, name string) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			require.True(t, c.HttpOnly)
			require.Equal(t, http.SameSiteStrictMode, c.SameSite)
			return c.Value
		}
	}
	t.Fatalf("no %s cookie in %v", name, r.header.Values("Set-Cookie"))
	return ""
}

func apiSessionCookie(t *testing.T, r apiResponse) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "sesame_session" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.header.Values("Set-Cookie"))
	return nil
}

func TestAPI_SignUpThenSignInThroughTheFourRoutes(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			c := newAPIClient(t, srv, "acme")
			dev := newAPIDevice(srv, "acme")

			apiSignUp(t, c, dev, "Ana@Example.com")
			user, err := srv.DB.ForTenant(tn.ID).Users().ByIdentifier(context.Background(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.Len(t, user.WebAuthnHandle, 32)
			require.NotContains(t, string(user.WebAuthnHandle), "ana", "the user handle carries no personal data")

			// A signed-in user registers a second passkey by the routes.
			second := newAPIDevice(srv, "acme")
			r := c.post("/webauthn/register/options", nil, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			var creation map[string]any
			require.NoError(t, json.Unmarshal(r.body, &creation))
			require.Equal(t, "acme.localhost", creation["rp"].(map[string]any)["id"])
			require.Len(t, creation["excludeCredentials"], 1, "the first passkey is excluded")
			second.auth.Options.UserHandle = user.WebAuthnHandle
			r = c.post("/webauthn/register?name=Work+laptop", second.create(t, r.body), nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			require.Equal(t, "Work laptop", r.json(t)["name"])

			creds, err := srv.DB.ForTenant(tn.ID).Credentials().ByUser(context.Background(), user.ID, "")
			require.NoError(t, err)
			require.Len(t, creds, 2)
			require.True(t, creds[0].BackupEligible && creds[0].BackupState)

			// Sign in with the second passkey through the routes, as a
			// fresh client.
			fresh := newAPIClient(t, srv, "acme")
			r = fresh.post("/webauthn/authenticate/options", nil, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			ceremony := apiCookie(t, r, "sesame_ceremony")
			var request map[string]any
			require.NoError(t, json.Unmarshal(r.body, &request))
			require.Equal(t, "acme.localhost", request["rpId"])
			require.Equal(t, "required", request["userVerification"])
			require.Empty(t, request["allowCredentials"], "discoverable")
			assertion := second.get(t, r.body)
			r = fresh.post("/webauthn/authenticate", assertion, map[string]string{"X-Sesame-Return-Token": "1"})
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			cookie := apiSessionCookie(t, r)
			require.True(t, cookie.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, cookie.SameSite)
			require.Equal(t, "/", cookie.Path)
			require.Empty(t, cookie.Domain, "host-only")
			sess := r.json(t)["session"].(map[string]any)
			require.Equal(t, cookie.Value, sess["token"])

			// The same assertion again is a replay: refused without the
			// ceremony cookie, and with it (a client that kept it).
			r = fresh.post("/webauthn/authenticate", assertion, nil)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Equal(t, "passkey_request_expired", r.errorCode(t))
			r = fresh.post("/webauthn/authenticate", assertion, map[string]string{"Cookie": "sesame_ceremony=" + ceremony})
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Equal(t, "passkey_request_expired", r.errorCode(t))

			// The session opens the account page, which lists both.
			page := fresh.do(http.MethodGet, "/account", nil, nil)
			require.Equal(t, http.StatusOK, page.status)
			require.Contains(t, string(page.body), "ana@example.com")
			require.Contains(t, string(page.body), "Work laptop")
			require.Equal(t, 2, strings.Count(string(page.body), `class="passkey"`))

			// Sign out ends it.
			r = fresh.post("/sign-out", nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status)
			page = fresh.do(http.MethodGet, "/account", nil, nil)
			require.Equal(t, http.StatusSeeOther, page.status)
		})
	}
}

func TestAPI_RefusesCrossSiteAndNonJSONRequests(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	srv.CreateTenant(t, "bravo", "Bravo")
	c := newAPIClient(t, srv, "acme")

	c.sendOrigin = "https://evil.example"
	r := c.post("/api/flows/sign-in", map[string]any{}, nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "bad_request_origin", r.errorCode(t))

	c.sendOrigin = srv.URL("bravo") // another tenant is another site
	r = c.post("/webauthn/authenticate/options", nil, nil)
	require.Equal(t, http.StatusForbidden, r.status)

	c.sendOrigin = ""
	r = c.post("/api/flows/sign-in", map[string]any{}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	require.Equal(t, http.StatusForbidden, r.status)

	// A form post cannot start a flow.
	r = c.post("/api/flows/sign-in", "identifier=x", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "invalid_input", r.errorCode(t))

	// Registering needs a signed-in user.
	c.sendOrigin = c.origin
	r = c.post("/webauthn/register/options", nil, nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "unauthenticated", r.errorCode(t))
	r = c.post("/api/flows/add-passkey", map[string]any{}, nil)
	require.Equal(t, http.StatusUnauthorized, r.status)

	// Unknown flows and actions have clear codes.
	r = c.post("/api/flows/teleport", map[string]any{}, nil)
	require.Equal(t, "unknown_flow", r.errorCode(t))
	r = c.post("/api/flows/sign-in", map[string]any{"action": "passkey.finish"}, nil)
	require.Equal(t, "action_not_allowed", r.errorCode(t))
	r = c.post("/api/flows/sign-in/identify", map[string]any{"identifier": "a@b.co"}, map[string]string{"X-Sesame-Flow": "made-up"})
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "flow_not_found", r.errorCode(t))
}

func TestAPI_WellKnownListsTheTenantOrigins(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	c := newAPIClient(t, srv, "acme")
	r := c.do(http.MethodGet, "/.well-known/webauthn", nil, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, map[string]any{"origins": []any{srv.URL("acme")}}, r.json(t))

	tn, err := srv.Tenants.BySlug(context.Background(), "acme")
	require.NoError(t, err)
	_, err = srv.DB.ForTenant(tn.ID).Domains().Add(context.Background(), "login.localhost")
	require.NoError(t, err)
	require.NoError(t, srv.DB.ForTenant(tn.ID).Domains().MarkVerified(context.Background(), "login.localhost", time.Now()))
	srv.SetPasskeys(t, "acme", func(p *tenants.Passkeys) {
		p.RPID = "localhost"
		p.Origins = []string{srv.URL("acme"), "http://login.localhost:8443"}
	})
	r = c.do(http.MethodGet, "/.well-known/webauthn", nil, nil)
	require.Equal(t, map[string]any{"origins": []any{srv.URL("acme"), "http://login.localhost:8443"}}, r.json(t))
}

func TestAPI_IdentifierFirstLooksTheSameForUnknownAndPasskeylessUsers(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	u := &db.User{WebAuthnHandle: []byte{1}, DisplayName: "known@example.com"}
	require.NoError(t, srv.DB.ForTenant(tn.ID).Users().Create(context.Background(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: "known@example.com"}))
	c := newAPIClient(t, srv, "acme")

	strip := func(r apiResponse) string {
		m := r.json(t)
		delete(m["flow"].(map[string]any), "token")
		b, _ := json.Marshal(m)
		return string(b)
	}
	known := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": "known@example.com"}}, nil)
	unknown := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": "nobody@example.com"}}, nil)
	require.Equal(t, http.StatusCreated, known.status, string(known.body))
	require.Equal(t, strip(known), strip(unknown))
	require.Equal(t, "choose_method", known.json(t)["flow"].(map[string]any)["state"])
}

func TestAPI_SignUpTwoStepStepsNeedTheNewUsersSession(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	c := newAPIClient(t, srv, "acme")
	dev := newAPIDevice(srv, "acme")

	before := flowtest.Sent(srv.Outbox, "ida@example.com")
	r := c.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": "ida@example.com"}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	r = c.post("/api/flows/sign-up/code.verify", map[string]any{"code": flowtest.CodeTo(t, srv.Outbox, "ida@example.com", before)}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = c.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": dev.create(t, apiPublicKey(t, r))}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "two_step", r.json(t)["flow"].(map[string]any)["state"])

	// Someone with the flow token but without the session cookie.
	other := newAPIClient(t, srv, "acme")
	for _, action := range []string{"two_step.enable", "two_step.skip"} {
		r = other.post("/api/flows/sign-up/"+action, map[string]any{}, map[string]string{"X-Sesame-Flow": token})
		require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
		require.Equal(t, "unauthenticated", r.errorCode(t))
	}
	r = c.post("/api/flows/sign-up/two_step.enable", map[string]any{}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "totp_setup", r.json(t)["flow"].(map[string]any)["state"])
	qr, _ := r.json(t)["result"].(map[string]any)["qr_code"].(string)
	require.True(t, strings.HasPrefix(qr, "data:image/png;base64,"), qr)
}
