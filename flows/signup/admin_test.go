package signup_test

import (
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestSignUp_AdminTenantRefusesEveryActionInEveryState: the admin tenant
// (whose users are the console's administrators) has no sign-up. The
// engine refuses starting a flow, every first action, and every action in
// every state of a flow that somehow exists there (stored directly, as if
// made before the rule), with sign_up_closed, before any action runs: no
// account is made and the flow does not move. The same first steps work
// on a customer tenant.
func TestSignUp_AdminTenantRefusesEveryActionInEveryState(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		admin, err := e.Tenants.EnsureAdmin(e.Ctx)
		require.NoError(t, err)
		scope := d.ForTenant(admin.ID)
		m := e.engine.Machine()
		req := flows.RequestInfo{UserAgent: "test", IP: <-ips}
		inputs := map[string]any{
			signup.ActionIdentify: map[string]string{"identifier": "eve@example.com"},
			signup.ActionSignUp:   map[string]string{"email": "eve@example.com"},
		}
		input := func(action string) json.RawMessage {
			v, ok := inputs[action]
			if !ok {
				v = map[string]any{}
			}
			return json.RawMessage(mustJSON(t, v))
		}

		// The customer tenant takes the same first steps.
		_, err = e.engine.Begin(e.Ctx, e.Tenant, signup.Context{}, signup.ActionIdentify, input(signup.ActionIdentify), req)
		require.NoError(t, err, "identify works on a customer tenant")

		_, err = e.engine.Start(e.Ctx, admin, signup.Context{})
		flowtest.RequirePublic(t, flows.ErrSignUpClosed, err)
		for _, action := range m.ActionNames() {
			_, err = e.engine.Begin(e.Ctx, admin, signup.Context{}, action, input(action), req)
			flowtest.RequirePublic(t, flows.ErrSignUpClosed, err)
		}

		// A flow already stored in each live state, driven by its own
		// signed-in user where the state has one.
		handle := make([]byte, 32)
		_, _ = rand.Read(handle)
		u := &db.User{WebAuthnHandle: handle, DisplayName: "someone@example.com"}
		require.NoError(t, scope.Users().Create(e.Ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: "someone@example.com"}))
		codeID := uuid.Must(uuid.NewV7())
		c := signup.Context{
			IdentifierKind: db.IdentifierEmail, Identifier: "eve@example.com",
			Identifiers: []signup.Identifier{{Kind: db.IdentifierEmail, Value: "eve@example.com", Verified: true}},
			CodeID:      &codeID, Handle: handle, UserID: &u.ID, PasskeyCreated: true,
		}
		signedIn := req
		signedIn.UserID = &u.ID
		tried := 0
		for _, s := range m.States() {
			if s == flows.Done {
				continue
			}
			token, hash := flows.NewToken()
			now := e.Clock.Now()
			f := &db.Flow{Kind: signup.Kind, State: string(s), Context: mustJSON(t, c), TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(m.TTL)}
			require.NoError(t, scope.Flows().Create(e.Ctx, f))
			for _, action := range m.ActionNames() {
				for _, r := range []flows.RequestInfo{req, signedIn} {
					_, err := e.engine.Run(e.Ctx, admin, token, action, input(action), r)
					flowtest.RequirePublic(t, flows.ErrSignUpClosed, err)
					tried++
				}
			}
			stored, err := scope.Flows().ByToken(e.Ctx, hash)
			require.NoError(t, err)
			require.Equal(t, string(s), stored.State, "the flow did not move")
		}
		require.Equal(t, 10*17*2, tried, "ten live states, seventeen actions, signed out and in")
		_, err = scope.Users().ByIdentifier(e.Ctx, db.IdentifierEmail, "eve@example.com")
		require.ErrorIs(t, err, db.ErrNotFound, "no account was made on the admin tenant")
	})
}
