package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/testdb"
)

const qProfile = `{ me { displayName hasPassword deletionScheduledAt deletionGraceDays passwordMinLength identifiers { id kind value verified } } }`

func TestAccountAPI_NameIdentifiersAndPassword(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme

			d := e.ok(t, p, user, `mutation { updateProfile(displayName: " Ada Lovelace ") { displayName } }`, nil)
			require.Equal(t, "Ada Lovelace", path(d, "updateProfile", "displayName"))
			a := e.refused(t, p, user, "invalid_input", `mutation($n: String!) { updateProfile(displayName: $n) { displayName } }`, map[string]any{"n": "Ada\u202eLovelace"})
			require.Equal(t, "displayName", a.errors[0].Extensions["field"])
			e.refused(t, p, admin, "forbidden", `mutation { updateProfile(displayName: "Eve") { displayName } }`, nil)

			// Another user of the tenant holds this address: identifier_taken,
			// as at sign-up. The other tenant's user does not count.
			e.newUser(t, p, "bob@acme.example")
			e.refused(t, p, user, "identifier_taken", `mutation { beginAddIdentifier(value: "bob@acme.example") { binding } }`, nil)
			e.newUser(t, e.bravo, "ada.work@acme.example")
			d = e.ok(t, p, user, `mutation { beginAddIdentifier(value: "ada.work@acme.example") { binding kind sentTo } }`, nil)
			require.Equal(t, "EMAIL", path(d, "beginAddIdentifier", "kind"))
			require.Equal(t, "ada.work@acme.example", path(d, "beginAddIdentifier", "sentTo"))
			binding := path(d, "beginAddIdentifier", "binding")
			const confirm = `mutation($b: String!, $c: String!) { confirmIdentifier(binding: $b, code: $c) { identifiers { value verified } } }`
			code := e.codeSentTo(t, "ada.work@acme.example")
			e.refused(t, p, user, "invalid_code", confirm, map[string]any{"b": binding, "c": wrongCodeFor(code)})
			d = e.ok(t, p, user, confirm, map[string]any{"b": binding, "c": code})
			require.Contains(t, path(d, "confirmIdentifier", "identifiers"), map[string]any{"value": "ada.work@acme.example", "verified": true})

			d = e.ok(t, p, user, qProfile, nil)
			require.Equal(t, 7.0, path(d, "me", "deletionGraceDays"))
			first := path(d, "me", "identifiers", 0, "id")
			d = e.ok(t, p, user, `mutation($id: ID!) { removeIdentifier(id: $id) { identifiers { value } } }`, map[string]any{"id": first})
			require.Len(t, path(d, "removeIdentifier", "identifiers"), 1)

			const setPassword = `mutation($p: String!) { setPassword(password: $p, endOtherSessions: true) { hasPassword } }`
			a = e.refused(t, p, user, "invalid_input", setPassword, map[string]any{"p": "short"})
			require.Equal(t, "password", a.errors[0].Extensions["field"])
			require.Equal(t, map[string]any{"reason": "too_short", "limit": 10.0}, a.errors[0].Extensions["params"], "the page words it in its language")
			d = e.ok(t, p, user, setPassword, map[string]any{"p": "correct horse battery staple"})
			require.Equal(t, true, path(d, "setPassword", "hasPassword"))

			e.clock.Advance(flows.RecentVerification + time.Second)
			e.refused(t, p, user, "reverification_required", setPassword, map[string]any{"p": "another horse battery staple"})
			e.refused(t, p, user, "reverification_required", `mutation { beginAddIdentifier(value: "x@acme.example") { binding } }`, nil)
			e.refused(t, p, user, "reverification_required", `mutation { requestAccountDeletion { deleteAfter } }`, nil)
		})
	}
}

func TestAccountAPI_DeletionEndsTheSessionsAndCanBeCancelledAfterSigningIn(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			// The grace period is a tenant setting of the management API.
			d := e.ok(t, p, admin, `{ tenant { settingsVersion settings { account { deletionGraceDays } } } }`, nil)
			require.Equal(t, 7.0, path(d, "tenant", "settings", "account", "deletionGraceDays"))
			v := path(d, "tenant", "settingsVersion")
			const update = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { settings { account { deletionGraceDays } } } }`
			e.refused(t, p, admin, "invalid_input", update, map[string]any{"in": map[string]any{"version": v, "account": map[string]any{"deletionGraceDays": 91}}})
			d = e.ok(t, p, admin, update, map[string]any{"in": map[string]any{"version": v, "account": map[string]any{"deletionGraceDays": 3}}})
			require.Equal(t, 3.0, path(d, "updateSettings", "settings", "account", "deletionGraceDays"))

			d = e.ok(t, p, user, `mutation { requestAccountDeletion { deleteAfter } }`, nil)
			due, err := time.Parse(time.RFC3339, path(d, "requestAccountDeletion", "deleteAfter").(string))
			require.NoError(t, err)
			require.WithinDuration(t, e.clock.Now().Add(3*24*time.Hour), due, time.Second)
			e.refused(t, p, user, "unauthenticated", qProfile, nil)
			u, err := e.scope(p).Users().ByID(context.Background(), p.user.ID)
			require.NoError(t, err)
			require.NotNil(t, u.DeleteAfter)

			// Signed in again within the grace period: the account says when,
			// and is kept on request.
			p.session = e.signIn(t, p, p.user)
			d = e.ok(t, p, user, qProfile, nil)
			require.NotNil(t, path(d, "me", "deletionScheduledAt"))
			d = e.ok(t, p, user, `mutation { cancelAccountDeletion { deletionScheduledAt } }`, nil)
			require.Nil(t, path(d, "cancelAccountDeletion", "deletionScheduledAt"))
			u, err = e.scope(p).Users().ByID(context.Background(), p.user.ID)
			require.NoError(t, err)
			require.Nil(t, u.DeleteAfter)
		})
	}
}

func wrongCodeFor(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}
