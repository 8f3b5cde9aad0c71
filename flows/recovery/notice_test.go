package recovery_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// A recovery tells the user by email, in the tenant's language, of the
// passkey it added, the old one it removed and the recovery itself: one
// notice each, with no code in any of them.
func TestRecovery_TheUserIsToldOfTheNewPasskeyTheRemovedOneAndTheRecovery(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.UpdateSettings(t, func(s *tenants.Settings) { s.DefaultLocale = "es" })
		m := e.member(t, "ann")
		token, _ := e.proveByCode(t, m.email)
		_, err := e.run(token, recovery.ActionFinish, nil) // refused: no notice
		require.Error(t, err)
		e.newPasskey(t, token, m)
		_, err = e.run(token, recovery.ActionPasskeyRemove, input(t, map[string]string{"id": m.old.ID.String()}))
		require.NoError(t, err)
		_, err = e.run(token, recovery.ActionFinish, nil)
		require.NoError(t, err)

		got := flowtest.MessagesTo(t, e.Outbox, m.email, "Aviso de seguridad", 3)
		want := []string{"Se añadió una llave de acceso", "Se quitó una llave de acceso", "Se usó la recuperación de la cuenta"}
		var bodies []string
		for _, msg := range got {
			require.Equal(t, "Aviso de seguridad de "+e.Tenant.Name, msg.Subject)
			require.NotRegexp(t, `\d{6}`, msg.Body)
			bodies = append(bodies, msg.Body)
		}
		for _, w := range want {
			n := 0
			for _, b := range bodies {
				if len(b) >= len(w) && b[:len(w)] == w {
					n++
				}
			}
			require.Equal(t, 1, n, "%q in %q", w, bodies)
		}
	})
}
