package signup_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/testdb"
)

// A sign-up is recorded as such, once, about the new user, in the step
// that created the account; its code is nowhere in the log.
func TestSignUp_IsRecordedOnceAsASignUp(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUpByEmail(t, "ada")
		events, _, err := e.Scope().Audit().List(e.Ctx, db.AuditPage{Limit: 100, Types: []string{string(audit.SignedUp)}})
		require.NoError(t, err)
		require.Len(t, events, 1)
		require.NotNil(t, events[0].UserID)
		require.Equal(t, n.userID, *events[0].UserID)
		require.Equal(t, audit.UserActor(n.userID), events[0].Actor)
		all, _, err := e.Scope().Audit().List(e.Ctx, db.AuditPage{Limit: 100})
		require.NoError(t, err)
		for _, ev := range all {
			require.NotEqual(t, string(audit.SignInSucceeded), ev.Type, "a sign-up is not a sign-in")
		}
	})
}
