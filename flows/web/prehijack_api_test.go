package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// apiState is the flow state of a flow API response.
func apiState(t *testing.T, r apiResponse) string {
	t.Helper()
	flow, _ := r.json(t)["flow"].(map[string]any)
	state, _ := flow["state"].(string)
	return state
}

// apiPasskeySignIn signs in with dev's passkey (discoverable, as a fresh
// client) and returns the user it signed in to, or "" with the error code.
func apiPasskeySignIn(t *testing.T, srv *testserver.Server, dev *apiDevice) (userID, code string) {
	t.Helper()
	c := newAPIClient(t, srv, "acme")
	r := c.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	r = c.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": dev.get(t, apiPublicKey(t, r))}, map[string]string{"X-Sesame-Flow": token})
	if r.status != http.StatusOK {
		return "", r.errorCode(t)
	}
	id, _ := r.json(t)["result"].(map[string]any)["user_id"].(string)
	require.NotEmpty(t, id, string(r.body))
	return id, ""
}

// apiCodeSignIn signs in to email by the code its email brings and returns
// the last response (code.verify's).
func apiCodeSignIn(t *testing.T, srv *testserver.Server, email string) apiResponse {
	t.Helper()
	c := newAPIClient(t, srv, "acme")
	r := c.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	before := flowtest.Sent(srv.Outbox, email)
	r = c.post("/api/flows/sign-in/code.send", map[string]any{}, map[string]string{"X-Sesame-Flow": token})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return c.post("/api/flows/sign-in/code.verify", map[string]any{"code": flowtest.CodeTo(t, srv.Outbox, email, before)}, map[string]string{"X-Sesame-Flow": token})
}

// TestAPI_PreHijack_PasskeyFirstCannotClaimAnAddressItDidNotProve is the
// account pre-hijacking sequence through the flow API, with the default
// settings (identifiers verified): the attacker starts passkey-first
// sign-up with the victim's address and gets a code sent to the victim, no
// passkey options and no account; the victim then signs up and is in
// their own account, with the address verified; the attacker's passkey
// signs in to the attacker's own account only.
func TestAPI_PreHijack_PasskeyFirstCannotClaimAnAddressItDidNotProve(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			const victim = "victim@example.com"

			// The attacker: a taken address and a free one get the same
			// answer, a code sent and no registration options.
			attacker := newAPIClient(t, srv, "acme")
			before := flowtest.Sent(srv.Outbox, victim)
			r := attacker.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": victim}}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			require.Equal(t, "verify", apiState(t, r))
			require.Nil(t, r.json(t)["result"].(map[string]any)["passkey"], "no passkey before the address is proved")
			token := apiFlowToken(t, r)
			flowtest.CodeTo(t, srv.Outbox, victim, before) // the code went to the victim
			r = attacker.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": map[string]any{}}, map[string]string{"X-Sesame-Flow": token})
			require.Equal(t, http.StatusConflict, r.status, string(r.body))
			require.Equal(t, "action_not_allowed", r.errorCode(t))
			r = attacker.post("/api/flows/sign-up/code.verify", map[string]any{"code": "000000"}, map[string]string{"X-Sesame-Flow": token})
			require.Equal(t, "invalid_code", r.errorCode(t))
			_, err := srv.DB.ForTenant(tn.ID).Users().ByIdentifier(context.Background(), db.IdentifierEmail, victim)
			require.ErrorIs(t, err, db.ErrNotFound, "no account holds the victim's address")

			// The attacker's own passkey, on the attacker's own account.
			attackerDev := newAPIDevice(srv, "acme")
			apiSignUp(t, newAPIClient(t, srv, "acme"), attackerDev, "attacker@example.com")

			// The victim signs up with their address, proved by its code.
			victimDev := newAPIDevice(srv, "acme")
			apiSignUp(t, newAPIClient(t, srv, "acme"), victimDev, victim)
			scope := srv.DB.ForTenant(tn.ID)
			mine, err := scope.Users().ByIdentifier(context.Background(), db.IdentifierEmail, victim)
			require.NoError(t, err)
			ids, err := scope.Users().Identifiers(context.Background(), mine.ID)
			require.NoError(t, err)
			require.Len(t, ids, 1)
			require.NotNil(t, ids[0].VerifiedAt, "the address is stored verified")

			// The victim's code sign-in lands in the victim's account.
			r = apiCodeSignIn(t, srv, victim)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Equal(t, mine.ID.String(), r.json(t)["result"].(map[string]any)["user_id"])

			// The attacker's passkey opens nothing of the victim's.
			got, code := apiPasskeySignIn(t, srv, attackerDev)
			require.Empty(t, code)
			require.NotEqual(t, mine.ID.String(), got)
			creds, err := scope.Credentials().ByUser(context.Background(), mine.ID, "")
			require.NoError(t, err)
			require.Len(t, creds, 1, "the victim's account holds the victim's passkey only")
		})
	}
}

// TestAPI_PreHijack_AnAddressClaimedUnprovedGoesToWhoeverProvesIt: where
// the tenant did not verify identifiers, the attacker's passkey-first
// account holds the victim's address unverified. The victim's code sign-in
// to it signs in to nothing (invalid_code, no session) and releases the
// claim; the victim then signs up and is in their own account; the
// attacker's passkey still opens only the attacker's account, which no
// longer holds the address.
func TestAPI_PreHijack_AnAddressClaimedUnprovedGoesToWhoeverProvesIt(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			scope := srv.DB.ForTenant(tn.ID)
			const victim = "victim@example.com"

			srv.SetSettings(t, "acme", func(s *tenants.Settings) { s.SignUp.VerifyIdentifiers = false })
			attacker := newAPIClient(t, srv, "acme")
			attackerDev := newAPIDevice(srv, "acme")
			r := attacker.post("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": victim}}, nil)
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			require.Equal(t, "passkey", apiState(t, r), "nothing to prove here")
			token := apiFlowToken(t, r)
			r = attacker.post("/api/flows/sign-up/passkey.finish", map[string]any{"credential": attackerDev.create(t, apiPublicKey(t, r))}, map[string]string{"X-Sesame-Flow": token})
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			claimant, err := scope.Users().ByIdentifier(context.Background(), db.IdentifierEmail, victim)
			require.NoError(t, err)
			srv.SetSettings(t, "acme", func(s *tenants.Settings) { s.SignUp.VerifyIdentifiers = true })

			// The victim's code sign-in: the right code signs in to nothing.
			r = apiCodeSignIn(t, srv, victim)
			require.Equal(t, http.StatusUnauthorized, r.status, string(r.body))
			require.Equal(t, "invalid_code", r.errorCode(t))
			require.Nil(t, r.json(t)["session"])
			sessions, err := scope.Sessions().ByUser(context.Background(), claimant.ID, time.Now())
			require.NoError(t, err)
			require.Len(t, sessions, 1, "only the attacker's own sign-up session")
			_, err = scope.Users().ByIdentifier(context.Background(), db.IdentifierEmail, victim)
			require.ErrorIs(t, err, db.ErrNotFound, "the unproved claim is released")

			// The victim signs up with the address and is in their own account.
			apiSignUp(t, newAPIClient(t, srv, "acme"), newAPIDevice(srv, "acme"), victim)
			mine, err := scope.Users().ByIdentifier(context.Background(), db.IdentifierEmail, victim)
			require.NoError(t, err)
			require.NotEqual(t, claimant.ID, mine.ID)
			r = apiCodeSignIn(t, srv, victim)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.Equal(t, mine.ID.String(), r.json(t)["result"].(map[string]any)["user_id"])

			// The attacker's passkey opens the attacker's account, which
			// holds nothing of the victim's.
			got, code := apiPasskeySignIn(t, srv, attackerDev)
			require.Empty(t, code)
			require.Equal(t, claimant.ID.String(), got)
			ids, err := scope.Users().Identifiers(context.Background(), claimant.ID)
			require.NoError(t, err)
			require.Empty(t, ids)
		})
	}
}
