package provider_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// nodeRPDir holds rp.mjs, a relying party built on openid-client (npm), a
// certified OpenID Connect relying-party library.
const nodeRPDir = "testdata/rp"

// requireNodeRP fails the test unless Node.js and the script's packages
// are installed: the suite never skips the certified client silently.
func requireNodeRP(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("node")
	require.NoError(t, err, "Node.js is needed to run openid-client against the provider (Debian: apt-get install -y nodejs npm)")
	_, err = os.Stat(filepath.Join(nodeRPDir, "node_modules", "openid-client", "package.json"))
	require.NoError(t, err, "openid-client is not installed: run `npm ci` in flows/provider/%s (.ci/run does it before make test)", nodeRPDir)
}

// nodeRP is one registered client as openid-client sees it: rp.mjs
// running for the whole test, answering one request a line (one process
// and one discovery per client keeps the test fast).
type nodeRP struct {
	t      *testing.T
	stdin  io.WriteCloser
	stdout *bufio.Scanner
	stderr *strings.Builder
}

// nodeRefusal is what rp.mjs answers when the library or the server refuses.
type nodeRefusal struct {
	Name    string `json:"name"`
	Code    string `json:"code"`
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
	Cause   string `json:"cause"`
}

func newNodeRP(t *testing.T, issuer string, c *apps.Created) *nodeRP {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, "node", "rp.mjs")
	cmd.Dir = nodeRPDir
	cmd.Env = append(os.Environ(),
		"RP_ISSUER="+issuer, "RP_CLIENT_ID="+c.App.ClientID, "RP_CLIENT_SECRET="+c.Secret,
		"RP_REDIRECT_URI="+redirectURI, "RP_ID_TOKEN_ALG="+c.App.IDTokenAlg)
	n := &nodeRP{t: t, stderr: &strings.Builder{}}
	cmd.Stderr = n.stderr
	var err error
	n.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	n.stdout = bufio.NewScanner(out)
	n.stdout.Buffer(nil, 1<<20)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = n.stdin.Close()
		_ = cmd.Wait()
		cancel()
	})
	return n
}

// run sends one request to rp.mjs; it decodes the result into out and
// returns nil, or returns the refusal.
func (n *nodeRP) run(command string, args, out any) *nodeRefusal {
	n.t.Helper()
	line, err := json.Marshal(map[string]any{"command": command, "args": args})
	require.NoError(n.t, err)
	_, err = n.stdin.Write(append(line, '\n'))
	require.NoError(n.t, err, "rp.mjs: %s", n.stderr)
	require.True(n.t, n.stdout.Scan(), "rp.mjs %s gave no answer: %v %s", command, n.stdout.Err(), n.stderr)
	var answer struct {
		OK      json.RawMessage `json:"ok"`
		Refused *nodeRefusal    `json:"refused"`
	}
	require.NoError(n.t, json.Unmarshal(n.stdout.Bytes(), &answer), n.stdout.Text())
	if answer.Refused != nil {
		return answer.Refused
	}
	require.NoError(n.t, json.Unmarshal(answer.OK, out), n.stdout.Text())
	return nil
}

// ok runs a command that must succeed.
func (n *nodeRP) ok(command string, args, out any) {
	n.t.Helper()
	if r := n.run(command, args, out); r != nil {
		n.t.Fatalf("openid-client %s refused: %+v", command, *r)
	}
}

// refused runs a command that must be refused.
func (n *nodeRP) refused(command string, args any) nodeRefusal {
	n.t.Helper()
	var out map[string]any
	r := n.run(command, args, &out)
	require.NotNil(n.t, r, "openid-client %s succeeded: %v", command, out)
	return *r
}

type nodeAuthRequest struct {
	URL      string `json:"url"`
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"`
	State    string `json:"state"`
}

type nodeTokens struct {
	AccessToken  string         `json:"access_token"`
	TokenType    string         `json:"token_type"`
	RefreshToken string         `json:"refresh_token"`
	IDToken      string         `json:"id_token"`
	Scope        string         `json:"scope"`
	Claims       map[string]any `json:"claims"`
}

type nodeMetadata struct {
	Issuer                  string   `json:"issuer"`
	AuthorizationEndpoint   string   `json:"authorization_endpoint"`
	TokenEndpoint           string   `json:"token_endpoint"`
	UserinfoEndpoint        string   `json:"userinfo_endpoint"`
	JWKSURI                 string   `json:"jwks_uri"`
	ScopesSupported         []string `json:"scopes_supported"`
	GrantTypesSupported     []string `json:"grant_types_supported"`
	CodeChallengeMethods    []string `json:"code_challenge_methods_supported"`
	IDTokenSigningAlgValues []string `json:"id_token_signing_alg_values_supported"`
}

func registerApp(t *testing.T, srv *testserver.Server, slug string, spec apps.Spec) *apps.Created {
	t.Helper()
	tn, err := srv.Tenants.BySlug(t.Context(), slug)
	require.NoError(t, err)
	c, err := apps.Create(t.Context(), srv.DB.ForTenant(tn.ID), spec, time.Now())
	require.NoError(t, err)
	return c
}

// authorizeWithNode has openid-client build an authorization request and
// checks it carries PKCE S256, a nonce and a state.
func authorizeWithNode(t *testing.T, rp *nodeRP, scope string) nodeAuthRequest {
	t.Helper()
	var req nodeAuthRequest
	rp.ok("authorize", map[string]string{"scope": scope}, &req)
	u, err := url.Parse(req.URL)
	require.NoError(t, err)
	q := u.Query()
	sum := sha256.Sum256([]byte(req.Verifier))
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), q.Get("code_challenge"))
	require.Equal(t, req.Nonce, q.Get("nonce"))
	require.Equal(t, req.State, q.Get("state"))
	require.NotEmpty(t, req.Nonce)
	return req
}

func TestProviderNodeRP_OpenIDClientSignsInRefreshesAndGetsClientCredentials(t *testing.T) {
	t.Parallel()
	requireNodeRP(t)
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			issuer := srv.URL("acme")
			web := registerApp(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{redirectURI}})
			rp := newNodeRP(t, issuer, web)

			// Discovery: openid-client itself refuses a document whose
			// issuer is not the URL it asked.
			var meta nodeMetadata
			rp.ok("discover", nil, &meta)
			require.Equal(t, issuer, meta.Issuer)
			for _, endpoint := range []string{meta.AuthorizationEndpoint, meta.TokenEndpoint, meta.UserinfoEndpoint, meta.JWKSURI} {
				require.True(t, strings.HasPrefix(endpoint, issuer+"/"), "%s is on the tenant's host", endpoint)
			}
			require.Contains(t, meta.CodeChallengeMethods, "S256")
			require.Contains(t, meta.IDTokenSigningAlgValues, web.App.IDTokenAlg)

			dev := newDevice(srv, "acme")
			br := newBrowser(t, srv, "acme")
			br.signUp(dev, "ana@example.com")
			ana, err := srv.DB.ForTenant(tn.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			scope := "openid email profile"
			if slices.Contains(meta.ScopesSupported, "offline_access") {
				scope += " offline_access"
			}

			// A code redeemed with another verifier is refused.
			req := authorizeWithNode(t, rp, scope)
			at := br.follow(req.URL)
			codeAt(t, at, req.State)
			wrongVerifier := strings.Repeat("A", 43)
			refusal := rp.refused("callback", map[string]string{"url": at.String(), "verifier": wrongVerifier, "nonce": req.Nonce, "state": req.State})
			require.Equal(t, "invalid_grant", refusal.Error, "%+v", refusal)

			// The browser part runs here with the session cookie; the
			// library exchanges the code and validates the ID token:
			// signature with the JWKS, iss, aud, exp, nonce, and the iss of
			// the authorization response (RFC 9207).
			req = authorizeWithNode(t, rp, scope)
			at = br.follow(req.URL)
			codeAt(t, at, req.State)
			var tok nodeTokens
			rp.ok("callback", map[string]string{"url": at.String(), "verifier": req.Verifier, "nonce": req.Nonce, "state": req.State}, &tok)
			require.NotEmpty(t, tok.AccessToken)
			require.Equal(t, "bearer", strings.ToLower(tok.TokenType))
			require.Equal(t, issuer, tok.Claims["iss"])
			require.Equal(t, ana.ID.String(), tok.Claims["sub"])
			require.Contains(t, []any{web.App.ClientID, []any{web.App.ClientID}}, tok.Claims["aud"])
			require.Equal(t, req.Nonce, tok.Claims["nonce"])
			require.Equal(t, "ana@example.com", tok.Claims["email"])

			var info map[string]any
			rp.ok("userinfo", map[string]string{"accessToken": tok.AccessToken, "sub": ana.ID.String()}, &info)
			require.Equal(t, ana.ID.String(), info["sub"])
			require.Equal(t, "ana@example.com", info["email"])
			refusal = rp.refused("userinfo", map[string]string{"accessToken": "not-a-token", "sub": ana.ID.String()})
			require.Equal(t, http.StatusUnauthorized, refusal.Status, "%+v", refusal)

			refreshWithNode(t, rp, meta, tok, ana.ID.String())

			// The same code again is refused and revokes what it gave.
			refusal = rp.refused("callback", map[string]string{"url": at.String(), "verifier": req.Verifier, "nonce": req.Nonce, "state": req.State})
			require.Equal(t, "invalid_grant", refusal.Error, "%+v", refusal)
			refusal = rp.refused("userinfo", map[string]string{"accessToken": tok.AccessToken, "sub": ana.ID.String()})
			require.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, refusal.Status, "%+v", refusal)

			clientCredentialsWithNode(t, srv, rp)
		})
	}
}

// refreshWithNode: where discovery offers the refresh_token grant, the
// code flow gave a refresh token, and it is exchanged for new tokens and
// a new refresh token; otherwise none was given.
func refreshWithNode(t *testing.T, rp *nodeRP, meta nodeMetadata, tok nodeTokens, sub string) {
	t.Helper()
	if !slices.Contains(meta.GrantTypesSupported, "refresh_token") {
		require.Empty(t, tok.RefreshToken, "a refresh token although discovery offers no refresh_token grant")
		return
	}
	require.NotEmpty(t, tok.RefreshToken, "discovery offers refresh_token (scopes %v) but the code flow gave none", meta.ScopesSupported)
	var next nodeTokens
	rp.ok("refresh", map[string]string{"refreshToken": tok.RefreshToken}, &next)
	require.NotEmpty(t, next.AccessToken)
	require.NotEqual(t, tok.AccessToken, next.AccessToken)
	require.NotEmpty(t, next.RefreshToken)
	require.NotEqual(t, tok.RefreshToken, next.RefreshToken, "refresh tokens rotate")
	if next.Claims != nil {
		require.Equal(t, sub, next.Claims["sub"])
	}
	var info map[string]any
	rp.ok("userinfo", map[string]string{"accessToken": next.AccessToken, "sub": sub}, &info)
	require.Equal(t, sub, info["sub"])
}

// clientCredentialsWithNode: a machine client gets a token the tenant's
// introspection knows; a wrong secret and a web client are refused.
func clientCredentialsWithNode(t *testing.T, srv *testserver.Server, web *nodeRP) {
	t.Helper()
	issuer := srv.URL("acme")
	m2m := registerApp(t, srv, "acme", apps.Spec{Name: "Jobs", Type: apps.TypeM2M, Scopes: []string{"reports"}})
	var tok nodeTokens
	newNodeRP(t, issuer, m2m).ok("client_credentials", map[string]string{"scope": "reports"}, &tok)
	require.NotEmpty(t, tok.AccessToken)
	require.Equal(t, "bearer", strings.ToLower(tok.TokenType))
	rs := &relyingParty{ctx: rpContext(t, srv), issuer: issuer}
	got := introspect(t, rs, m2m.App.ClientID, m2m.Secret, tok.AccessToken)
	require.Equal(t, true, got["active"])
	require.Equal(t, m2m.App.ClientID, got["client_id"])
	require.Equal(t, "reports", got["scope"])

	wrong := *m2m
	wrong.Secret = "sesame_secret_wrong"
	refusal := newNodeRP(t, issuer, &wrong).refused("client_credentials", map[string]string{"scope": "reports"})
	require.Equal(t, "invalid_client", refusal.Error, "%+v", refusal)
	refusal = web.refused("client_credentials", nil)
	require.Contains(t, []string{"invalid_client", "unauthorized_client"}, refusal.Error, "client credentials are for m2m applications only: %+v", refusal)
}
