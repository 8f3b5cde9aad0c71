package signup_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// The account keeps the language of the page it was made on, by the form
// and passkey first alike; a page in no language Sesame speaks leaves it
// unset.
func TestSignUp_TheAccountKeepsThePagesLanguage(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n, _ := e.signUpByEmailFrom(t, "ana", "es")
		require.Equal(t, "es", e.user(t, n.userID).Locale)
		n, _ = e.signUpFrom(t, "li", "zh-CN")
		require.Equal(t, "zh-CN", e.user(t, n.userID).Locale)
		n, _ = e.signUpFrom(t, "sam", "")
		require.Empty(t, e.user(t, n.userID).Locale)
	})
}
