package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// badValue is a string no text input takes, as written inside a JSON
// string (escaped, or raw bytes that are not UTF-8, which encoding/json
// would otherwise replace silently) and as the string itself, for a URL.
type badValue struct {
	kind, json, raw string
}

var badTextValues = []badValue{
	{"NUL", `a\u0000b`, "a\x00b"},
	{"C0 control", `a\u0001b`, "a\x01b"},
	{"C1 control", `a\u0085b`, "a\u0085b"},
	{"DEL", `a\u007fb`, "a\x7fb"},
	{"invalid UTF-8", "a\xff\xfeb", "a\xff\xfeb"},
	{"lone surrogate", `a\ud800b`, "a\xed\xa0\x80b"},
}

// badLineValues are refused where one line of bounded text is expected.
var badLineValues = []badValue{
	{"line break", `a\nb`, "a\nb"},
	{"tab", `a\tb`, "a\tb"},
	{"RTL override", `a\u202eb`, "a\u202eb"},
	{"line separator", `a\u2028b`, "a\u2028b"},
}

// valuesFor returns the bad values for a field; oneLine > 0 adds line
// breaks and a value one character over that bound.
func valuesFor(oneLine int) []badValue {
	out := append([]badValue{}, badTextValues...)
	if oneLine > 0 {
		out = append(out, badLineValues...)
		long := strings.Repeat("é", oneLine+1)
		out = append(out, badValue{"over-long", long, long})
	}
	return out
}

// tenantSnapshot is everything a text input of the flows could write:
// users with their identifiers and passkeys.
func tenantSnapshot(t *testing.T, srv *testserver.Server, tn *tenants.Tenant) string {
	t.Helper()
	ctx := context.Background()
	s := srv.DB.ForTenant(tn.ID)
	users, _, err := s.Users().List(ctx, db.UserPage{Limit: 100})
	require.NoError(t, err)
	var rows []any
	for _, u := range users {
		ids, err := s.Users().IdentifiersOf(ctx, []uuid.UUID{u.ID})
		require.NoError(t, err)
		creds, err := s.Credentials().ByUser(ctx, u.ID, "")
		require.NoError(t, err)
		rows = append(rows, map[string]any{"user": u.DisplayName, "id": u.ID, "identifiers": ids[u.ID], "passkeys": creds})
	}
	out, err := json.Marshal(rows)
	require.NoError(t, err)
	return string(out)
}

// requireInvalid requires a 400 invalid_input naming field.
func requireInvalid(t *testing.T, r apiResponse, field, door string, v badValue) {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, r.status, "%s with %s: %s", door, v.kind, r.body)
	e, _ := r.json(t)["error"].(map[string]any)
	require.Equal(t, "invalid_input", e["code"], "%s with %s: %s", door, v.kind, r.body)
	require.Equal(t, field, e["field"], "%s with %s: %s", door, v.kind, r.body)
}

// TestInput_BadTextAtEveryDoorOfTheFlowAPIAndWebAuthnRoutes sends every
// text field of the flow API and the WebAuthn routes values that are not
// text (and, to one-line fields, line breaks and over-long values), and
// requires 400 invalid_input naming the field, with nothing written; the
// passkey a refused name was sent with can still be added, at every door.
func TestInput_BadTextAtEveryDoorOfTheFlowAPIAndWebAuthnRoutes(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			tn = srv.SetSettings(t, "acme", func(s *tenants.Settings) {
				s.SignUp.Identifiers = []string{tenants.IdentifierEmail, tenants.IdentifierPhone, tenants.IdentifierUsername}
			})
			ctx := context.Background()
			scope := srv.DB.ForTenant(tn.ID)

			// Bea signs in with a password or an email code.
			hash, err := password.Hash("correct horse battery staple")
			require.NoError(t, err)
			bea := &db.User{WebAuthnHandle: []byte("bea-handle"), DisplayName: "bea@acme.example"}
			require.NoError(t, scope.Users().Create(ctx, bea, &db.Identifier{Kind: db.IdentifierEmail, Value: "bea@acme.example"}))
			require.NoError(t, scope.Users().SetPassword(ctx, bea.ID, hash))

			// Ana is signed in with a passkey, to add more.
			ana := newAPIClient(t, srv, "acme")
			anaDevice := newAPIDevice(srv, "acme")
			apiSignUp(t, ana, anaDevice, "ana@acme.example")
			anaUser, err := scope.Users().ByIdentifier(ctx, db.IdentifierEmail, "ana@acme.example")
			require.NoError(t, err)

			c := newAPIClient(t, srv, "acme")
			flow := func(r apiResponse) map[string]string {
				return map[string]string{"X-Sesame-Flow": apiFlowToken(t, r)}
			}
			// A sign-in at choose_method for Bea, and one that sent her a code.
			beaFlow := flow(c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": "bea@acme.example"}}, nil))
			codeFlow := flow(c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": "bea@acme.example"}}, nil))
			r := c.post("/api/flows/sign-in/code.send", map[string]any{}, codeFlow)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			// A passkey-first sign-up waiting for its passkey: its address
			// proved by the code first.
			mails := flowtest.Sent(srv.Outbox, "cy@acme.example")
			r = c.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": "cy@acme.example"}}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			signUpFlow := flow(r)
			r = c.post("/api/flows/sign-up/code.verify", map[string]any{"code": flowtest.CodeTo(t, srv.Outbox, "cy@acme.example", mails)}, signUpFlow)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			cyDevice := newAPIDevice(srv, "acme")
			cyCredential := cyDevice.create(t, apiPublicKey(t, r))
			// Ana adding a passkey through the flow API.
			r = ana.post("/api/flows/add-passkey", map[string]any{"action": "passkey.begin"}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			addFlow := flow(r)
			second := newAPIDevice(srv, "acme")
			second.auth.Options.UserHandle = anaUser.WebAuthnHandle
			secondCredential := second.create(t, apiPublicKey(t, r))

			// body puts a bad value, written as JSON, in place of BAD.
			body := func(format string, v badValue) []byte {
				return []byte(strings.Replace(format, "BAD", v.json, 1))
			}
			doors := []struct {
				name    string
				field   string
				oneLine int
				send    func(v badValue) apiResponse
			}{
				{"sign-in start action", "action", 0, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-in", body(`{"action": "BAD"}`, v), nil)
				}},
				{"sign-in identify", "identifier", 254, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-in", body(`{"action": "identify", "input": {"identifier": "BAD"}}`, v), nil)
				}},
				{"sign-in passkey.begin", "mediation", 0, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-in", body(`{"action": "passkey.begin", "input": {"mediation": "BAD"}}`, v), nil)
				}},
				{"sign-in password", "password", 0, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-in/password", body(`{"password": "BAD"}`, v), beaFlow)
				}},
				{"sign-in code.verify", "code", 0, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-in/code.verify", body(`{"code": "BAD"}`, v), codeFlow)
				}},
				{"sign-up identify", "identifier", 254, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-up", body(`{"action": "identify", "input": {"identifier": "BAD"}}`, v), nil)
				}},
				{"sign-up form email", "email", 254, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-up", body(`{"action": "sign_up", "input": {"email": "BAD"}}`, v), nil)
				}},
				{"sign-up form phone", "phone", 254, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-up", body(`{"action": "sign_up", "input": {"email": "dee@acme.example", "phone": "BAD"}}`, v), nil)
				}},
				{"sign-up form username", "username", 254, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-up", body(`{"action": "sign_up", "input": {"email": "dee@acme.example", "username": "BAD"}}`, v), nil)
				}},
				{"sign-up passkey.finish name", "name", 100, func(v badValue) apiResponse {
					return c.post("/api/flows/sign-up/passkey.finish", body(`{"credential": `+string(cyCredential)+`, "name": "BAD"}`, v), signUpFlow)
				}},
				{"add-passkey passkey.finish name", "name", 100, func(v badValue) apiResponse {
					return ana.post("/api/flows/add-passkey/passkey.finish", body(`{"credential": `+string(secondCredential)+`, "name": "BAD"}`, v), addFlow)
				}},
				{"/webauthn/register?name=", "name", 100, func(v badValue) apiResponse {
					r := ana.post("/webauthn/register/options", nil, nil)
					require.Equal(t, http.StatusOK, r.status, string(r.body))
					third := newAPIDevice(srv, "acme")
					third.auth.Options.UserHandle = anaUser.WebAuthnHandle
					return ana.post("/webauthn/register?name="+url.QueryEscape(v.raw), third.create(t, r.body), nil)
				}},
				{"/webauthn/authenticate/options", "mediation", 0, func(v badValue) apiResponse {
					return c.post("/webauthn/authenticate/options", body(`{"mediation": "BAD"}`, v), nil)
				}},
			}

			before := tenantSnapshot(t, srv, tn)
			for _, d := range doors {
				for _, v := range valuesFor(d.oneLine) {
					requireInvalid(t, d.send(v), d.field, d.name, v)
				}
			}
			require.Equal(t, before, tenantSnapshot(t, srv, tn), "a refused input wrote something")

			// The refused names consumed nothing: the same passkeys are
			// added with a good name.
			r = c.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": cyCredential, "name": " Cy's key "}, signUpFlow)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			r = ana.post("/api/flows/add-passkey/passkey.finish", map[string]any{"credential": secondCredential, "name": "Work laptop"}, addFlow)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			// On the WebAuthn route too: the ceremony cookie is kept.
			r = ana.post("/webauthn/register/options", nil, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			third := newAPIDevice(srv, "acme")
			third.auth.Options.UserHandle = anaUser.WebAuthnHandle
			thirdCredential := third.create(t, r.body)
			requireInvalid(t, ana.post("/webauthn/register?name=a%00b", thirdCredential, nil), "name", "/webauthn/register?name=", badTextValues[0])
			r = ana.post("/webauthn/register?name=Tablet", thirdCredential, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			creds, err := scope.Credentials().ByUser(ctx, anaUser.ID, "")
			require.NoError(t, err)
			require.Len(t, creds, 3)
			require.Equal(t, "Work laptop", creds[1].Name)
			require.Equal(t, "Tablet", creds[2].Name)
		})
	}
}
