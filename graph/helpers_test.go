package graph_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// apiEnv is a running server with two tenants, acme and bravo, each with
// an API key and a signed-in user.
type apiEnv struct {
	srv    *testserver.Server
	clock  *clock.Fake
	outbox *delivery.Outbox
	gql    *client.Client
	acme   *party
	bravo  *party
}

// party is one tenant with its credentials.
type party struct {
	tenant  *tenants.Tenant
	host    string
	key     string
	user    *db.User
	session *flows.IssuedSession
}

func newAPIEnv(t *testing.T, b testdb.Backend, development bool) *apiEnv {
	t.Helper()
	outbox := delivery.NewOutbox(delivery.OutboxConfig{})
	return newAPIEnvWith(t, b, testserver.Options{Development: development,
		Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}}, outbox)
}

// newAPIEnvWith starts the server with opts (and a fake clock); outbox is
// where its development messages go.
func newAPIEnvWith(t *testing.T, b testdb.Backend, opts testserver.Options, outbox *delivery.Outbox) *apiEnv {
	t.Helper()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	opts.Clock = clk
	srv := testserver.Start(t, b, opts)
	if outbox == nil {
		outbox = srv.Outbox
	}
	e := &apiEnv{srv: srv, clock: clk, outbox: outbox, gql: client.New(srv.App.Handler)}
	e.acme = e.newParty(t, "acme", "Acme")
	e.bravo = e.newParty(t, "bravo", "Bravo")
	return e
}

func (e *apiEnv) newParty(t *testing.T, slug, name string) *party {
	t.Helper()
	tn := e.srv.CreateTenant(t, slug, name)
	p := &party{tenant: tn, host: slug + "." + e.srv.BaseDomain}
	_, key, err := graph.CreateAPIKey(context.Background(), e.scope(p), "tests", e.clock.Now())
	require.NoError(t, err)
	p.key = key
	p.user = e.newUser(t, p, "ada@"+slug+".example")
	p.session = e.signIn(t, p, p.user)
	return p
}

func (e *apiEnv) scope(p *party) db.Scope { return e.srv.DB.ForTenant(p.tenant.ID) }

// newUser creates a user with a verified email and a password.
func (e *apiEnv) newUser(t *testing.T, p *party, email string) *db.User {
	t.Helper()
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	now := e.clock.Now()
	u := &db.User{WebAuthnHandle: handle, DisplayName: email}
	require.NoError(t, e.scope(p).Users().Create(context.Background(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: email, VerifiedAt: &now}))
	require.NoError(t, e.scope(p).Users().SetPassword(context.Background(), u.ID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"))
	u, err := e.scope(p).Users().ByID(context.Background(), u.ID)
	require.NoError(t, err)
	return u
}

func (e *apiEnv) signIn(t *testing.T, p *party, u *db.User) *flows.IssuedSession {
	t.Helper()
	s, err := flows.IssueSession(context.Background(), e.scope(p), u.ID, []string{flows.AMRWebAuthn}, flows.RequestInfo{UserAgent: "tests", IP: "192.0.2.1"}, e.clock.Now())
	require.NoError(t, err)
	return s
}

// addCredential stores a passkey for u (as a finished registration would).
func (e *apiEnv) addCredential(t *testing.T, p *party, u *db.User, name string) *db.Credential {
	t.Helper()
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	c := &db.Credential{UserID: u.ID, RPID: p.tenant.Slug + ".localhost", CredentialID: id, PublicKey: []byte{1}, Algorithm: -7,
		AttestationType: "none", AttestationFormat: "none", Transports: "internal,hybrid", Attachment: "platform",
		UserPresent: true, UserVerified: true, BackupEligible: true, BackupState: true, Name: name,
		AAGUID: aaguidOf(t)}
	require.NoError(t, e.scope(p).Credentials().Create(context.Background(), c))
	return c
}

// knownAAGUID is Windows Hello's AAGUID.
const knownAAGUID = "08987058-cadc-4b81-b6e1-30de50dcbe96"

// aaguidOf returns the AAGUID of an authenticator model the data file
// names.
func aaguidOf(t *testing.T) []byte {
	t.Helper()
	u := uuid.MustParse(knownAAGUID)
	_, ok := passkey.AuthenticatorName(u[:])
	require.True(t, ok, "the AAGUID data file no longer names %s", knownAAGUID)
	return u[:]
}

// as says who sends a request.
type as int

const (
	anonymous  as = iota
	admin         // the tenant's API key
	user          // the user's session as a Bearer token
	cookieUser    // the user's session cookie with the CSRF header
)

func (a as) String() string {
	return [...]string{"anonymous", "admin", "user", "cookie user"}[a]
}

// answer is a GraphQL response.
type answer struct {
	status int
	data   map[string]any
	errors []gqlError
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (a answer) code() string {
	if len(a.errors) == 0 {
		return ""
	}
	c, _ := a.errors[0].Extensions["code"].(string)
	return c
}

var httpStatus = regexp.MustCompile(`^http (\d{3}): `)

// post sends query to host as who (credentials of from) and returns the
// answer, whatever its HTTP status.
func (e *apiEnv) post(t *testing.T, host string, who as, from *party, query string, vars map[string]any, extra ...client.Option) answer {
	t.Helper()
	opts := []client.Option{func(r *client.Request) { r.HTTP.Host = host }, client.Path("/graphql")}
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	switch who {
	case admin:
		opts = append(opts, client.AddHeader("Authorization", "Bearer "+from.key))
	case user:
		opts = append(opts, client.AddHeader("Authorization", "Bearer "+from.session.Token))
	case cookieUser:
		opts = append(opts, client.AddCookie(&http.Cookie{Name: "sesame_session", Value: from.session.Token}), client.AddHeader(graph.CSRFHeader, "1"))
	}
	opts = append(opts, extra...)
	resp, err := e.gql.RawPost(query, opts...)
	out := answer{status: http.StatusOK}
	var raw []byte
	if err != nil {
		m := httpStatus.FindStringSubmatch(err.Error())
		require.NotNil(t, m, "%v", err)
		out.status, _ = strconv.Atoi(m[1])
		raw = []byte(strings.TrimPrefix(err.Error(), m[0]))
		var body struct {
			Errors []gqlError `json:"errors"`
		}
		require.NoError(t, json.Unmarshal(raw, &body), string(raw))
		out.errors = body.Errors
		return out
	}
	if resp.Data != nil {
		out.data, _ = resp.Data.(map[string]any)
	}
	if len(resp.Errors) > 0 {
		require.NoError(t, json.Unmarshal(resp.Errors, &out.errors))
	}
	return out
}

// ok posts and requires an answer without errors.
func (e *apiEnv) ok(t *testing.T, p *party, who as, query string, vars map[string]any) map[string]any {
	t.Helper()
	a := e.post(t, p.host, who, p, query, vars)
	require.Empty(t, a.errors, "%s: %+v", query, a.errors)
	return a.data
}

// refused posts and requires the error code.
func (e *apiEnv) refused(t *testing.T, p *party, who as, code, query string, vars map[string]any) answer {
	t.Helper()
	a := e.post(t, p.host, who, p, query, vars)
	require.NotEmpty(t, a.errors, "%s as %s: want %s, got data %v", query, who, code, a.data)
	require.Equal(t, code, a.code(), "%s as %s: %+v", query, who, a.errors)
	return a
}

// path reads a nested value of data, e.g. path(d, "me", "passkeys", 0, "name").
func path(data any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := data.(map[string]any)
			if !ok {
				return nil
			}
			data = m[k]
		case int:
			l, ok := data.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			data = l[k]
		default:
			panic(fmt.Sprintf("bad key %v", k))
		}
	}
	return data
}

// codeSentTo waits for a message to to in the outbox and returns the code
// in the newest one.
func (e *apiEnv) codeSentTo(t *testing.T, to string) string {
	t.Helper()
	return flowtest.CodeTo(t, e.outbox, to, 0)
}
