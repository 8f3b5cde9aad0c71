package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// badText are string values no text input takes, as they appear inside a
// JSON string: escaped controls, raw bytes that are not UTF-8 (which
// encoding/json would otherwise replace silently) and a lone surrogate.
var badText = map[string]string{
	"NUL":          `a\u0000b`,
	"C0 control":   `a\u0001b`,
	"C1 control":   `a\u0085b`,
	"DEL":          `a\u007fb`,
	"invalid UTF8": "a\xff\xfeb",
	"lone half":    `a\ud800b`,
}

// badLine are values refused only where one line of bounded text is
// expected (names, display names, identifiers, searches); over-long ones
// are added per field.
var badLine = map[string]string{
	"line break":     `a\nb`,
	"tab":            `a\tb`,
	"RTL override":   `a\u202eb`,
	"line separator": `a\u2028b`,
}

// textField is one text argument of the API, sent as the variable $v.
type textField struct {
	name    string
	who     as
	query   string
	vars    string // more variables, as JSON members
	field   string // the field the error must name
	oneLine int    // when > 0, the field is one line of at most this many characters
}

// rawPost posts a GraphQL body as bytes, so that bytes that are not UTF-8
// reach the server as sent.
func (e *apiEnv) rawPost(t *testing.T, p *party, who as, body []byte) (int, []gqlError) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://"+p.host+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	switch who {
	case admin:
		req.Header.Set("Authorization", "Bearer "+p.key)
	case user:
		req.Header.Set("Authorization", "Bearer "+p.session.Token)
	}
	rec := httptest.NewRecorder()
	e.srv.App.Handler.ServeHTTP(rec, req)
	var out struct {
		Errors []gqlError `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out.Errors
}

// snapshot is everything a text input could have written: users with
// their identifiers and passkeys, and API keys.
func (e *apiEnv) snapshot(t *testing.T, p *party) string {
	t.Helper()
	ctx := context.Background()
	s := e.scope(p)
	users, _, err := s.Users().List(ctx, db.UserPage{Limit: 100})
	require.NoError(t, err)
	type row struct {
		User        *db.User
		Identifiers []*db.Identifier
		Passkeys    []*db.Credential
	}
	var rows []row
	for _, u := range users {
		ids, err := s.Users().IdentifiersOf(ctx, []uuid.UUID{u.ID})
		require.NoError(t, err)
		creds, err := s.Credentials().ByUser(ctx, u.ID, "")
		require.NoError(t, err)
		rows = append(rows, row{User: u, Identifiers: ids[u.ID], Passkeys: creds})
	}
	keys, err := s.APIKeys().List(ctx)
	require.NoError(t, err)
	out, err := json.Marshal(map[string]any{"users": rows, "keys": keys})
	require.NoError(t, err)
	return string(out)
}

// TestInput_BadTextInEveryArgumentIsInvalidInputNamingIt sends every text
// argument of the account and management APIs values that are not text
// (and, to one-line fields, line breaks and over-long values), and
// requires invalid_input naming the argument, never internal, with
// nothing written.
func TestInput_BadTextInEveryArgumentIsInvalidInputNamingIt(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			cred := e.addCredential(t, p, p.user, "Phone")
			d := e.ok(t, p, user, `mutation { beginAddPasskey { ceremony } }`, nil)
			ceremony := path(d, "beginAddPasskey", "ceremony").(string)

			fields := []textField{
				{name: "createUser.displayName", who: admin, field: "displayName", oneLine: 100,
					query: `mutation($v: String!) { createUser(input: {email: "new@acme.example", displayName: $v}) { id } }`},
				{name: "createUser.email", who: admin, field: "email", oneLine: 254,
					query: `mutation($v: String!) { createUser(input: {email: $v}) { id } }`},
				{name: "createUser.phone", who: admin, field: "phone", oneLine: 20,
					query: `mutation($v: String!) { createUser(input: {phone: $v}) { id } }`},
				{name: "createUser.username", who: admin, field: "username", oneLine: 64,
					query: `mutation($v: String!) { createUser(input: {username: $v}) { id } }`},
				{name: "createAPIKey.name", who: admin, field: "name", oneLine: 100,
					query: `mutation($v: String!) { createAPIKey(name: $v) { secret } }`},
				{name: "users.search", who: admin, field: "search", oneLine: 254,
					query: `query($v: String) { users(search: $v) { nodes { id } } }`},
				{name: "users.after", who: admin, field: "after",
					query: `query($v: String) { users(after: $v) { nodes { id } } }`},
				{name: "sendTestMessage.to", who: admin, field: "to", oneLine: 254,
					query: `mutation($v: String!) { sendTestMessage(channel: EMAIL, to: $v) { messageId } }`},
				{name: "renamePasskey.name", who: user, field: "name", oneLine: 100,
					query: `mutation($v: String!, $id: ID!) { renamePasskey(id: $id, name: $v) { name } }`, vars: `"id": "` + cred.ID.String() + `"`},
				{name: "finishAddPasskey.name", who: user, field: "name", oneLine: 100,
					query: `mutation($v: String, $c: String!) { finishAddPasskey(ceremony: $c, response: "{}", name: $v) { id } }`, vars: `"c": "` + ceremony + `"`},
				{name: "finishAddPasskey.ceremony", who: user, field: "ceremony",
					query: `mutation($v: String!) { finishAddPasskey(ceremony: $v, response: "{}") { id } }`},
				{name: "finishAddPasskey.response", who: user, field: "response",
					query: `mutation($v: String!, $c: String!) { finishAddPasskey(ceremony: $c, response: $v) { id } }`, vars: `"c": "` + ceremony + `"`},
				{name: "beginSMSFactor.phone", who: user, field: "phone",
					query: `mutation($v: String!) { beginSMSFactor(phone: $v) { binding } }`},
				{name: "confirmSMSFactor.binding", who: user, field: "binding",
					query: `mutation($v: String!) { confirmSMSFactor(binding: $v, code: "123456") { id } }`},
				{name: "confirmTOTP.code", who: user, field: "code",
					query: `mutation($v: String!) { confirmTOTP(code: $v) { id } }`},
			}
			// The API key's last use is recorded on its first request (the
			// fake clock stands still): use it once before the snapshot.
			e.ok(t, p, admin, `query { apiKeys { id } }`, nil)
			before := e.snapshot(t, p)
			for _, f := range fields {
				values := map[string]string{}
				for k, v := range badText {
					values[k] = v
				}
				if f.oneLine > 0 {
					for k, v := range badLine {
						values[k] = v
					}
					values["over-long"] = strings.Repeat("é", f.oneLine+1)
				}
				for kind, v := range values {
					q, err := json.Marshal(f.query)
					require.NoError(t, err)
					vars := `"v": "` + v + `"`
					if f.vars != "" {
						vars += ", " + f.vars
					}
					body := []byte(`{"query": ` + string(q) + `, "variables": {` + vars + `}}`)
					status, errs := e.rawPost(t, p, f.who, body)
					require.Less(t, status, 500, "%s with %s", f.name, kind)
					require.NotEmpty(t, errs, "%s with %s: accepted", f.name, kind)
					require.Equal(t, "invalid_input", errs[0].Extensions["code"], "%s with %s: %+v", f.name, kind, errs)
					require.Equal(t, f.field, errs[0].Extensions["field"], "%s with %s: %+v", f.name, kind, errs)
				}
			}
			require.Equal(t, before, e.snapshot(t, p), "a refused input wrote something")
		})
	}
}

// TestInput_MalformedIDsAreInvalidInputNamingTheArgument: an ID that is
// not one is the client's mistake, answered invalid_input with the
// argument, as a literal or a variable.
func TestInput_MalformedIDsAreInvalidInputNamingTheArgument(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			for _, c := range []struct {
				who   as
				query string
				vars  map[string]any
				field string
			}{
				{admin, `query { user(id: "not-a-uuid") { id } }`, nil, "id"},
				{admin, `query { user(id: 5) { id } }`, nil, "id"},
				{admin, `query($id: ID!) { user(id: $id) { id } }`, map[string]any{"id": "a\x00b"}, "id"},
				{admin, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": "nope"}, "id"},
				{admin, `mutation { removeUserPasskey(userId: "x", passkeyId: "00000000-0000-0000-0000-000000000000") }`, nil, "userId"},
				{admin, `mutation { revokeAPIKey(id: "x") }`, nil, "id"},
				{user, `mutation { renamePasskey(id: "x", name: "Phone") { id } }`, nil, "id"},
				{user, `mutation { revokeSession(id: "") }`, nil, "id"},
				{user, `mutation { revokeAppAccess(applicationId: "x") }`, nil, "applicationId"},
				{admin, `mutation { revokeUserAppGrant(userId: "x", applicationId: "00000000-0000-0000-0000-000000000000") }`, nil, "userId"},
			} {
				a := e.refused(t, p, c.who, "invalid_input", c.query, c.vars)
				require.Equal(t, c.field, a.errors[0].Extensions["field"], "%s: %+v", c.query, a.errors)
			}
		})
	}
}
