package account_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// The preferred language is one Sesame speaks, kept in its canonical
// form; "" clears it. The notice of a change words itself in the page's
// language, else the user's, else the tenant's default.
func TestLanguage_ThePagesLanguageThenTheUsersThenTheTenantsWordTheNotice(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Now()
		e, fe := noticeEnv(t, d, &db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com", VerifiedAt: &now})
		fe.UpdateSettings(t, func(s *tenants.Settings) { s.DefaultLocale = "zh-CN" })
		e.tenant, e.caller.Tenant = fe.Tenant, fe.Tenant

		u, err := e.svc.SetLocale(e.ctx, e.caller, "ES")
		require.NoError(t, err)
		require.Equal(t, "es", u.Locale)
		for _, bad := range []string{"fr", "english", "es-MX", " es"} {
			_, err = e.svc.SetLocale(e.ctx, e.caller, bad)
			require.Error(t, err, "%q", bad)
		}
		u, err = e.scope().Users().ByID(e.ctx, e.caller.Session.UserID)
		require.NoError(t, err)
		require.Equal(t, "es", u.Locale)

		keys := []*db.Credential{e.passkey(t), e.passkey(t), e.passkey(t), e.passkey(t)}
		// No page language: the user's.
		require.NoError(t, e.svc.RemovePasskey(e.ctx, e.caller, keys[0].ID))
		got := flowtest.MessagesTo(t, fe.Outbox, "ada@example.com", "Aviso de seguridad", 1)
		require.Equal(t, "Aviso de seguridad de "+fe.Tenant.Name, got[0].Subject)
		// The page's language comes first.
		c := e.caller
		c.Request.Lang = "en"
		require.NoError(t, e.svc.RemovePasskey(e.ctx, c, keys[1].ID))
		flowtest.MessagesTo(t, fe.Outbox, "ada@example.com", "Security notice", 1)
		// None of the user's: the tenant's.
		u, err = e.svc.SetLocale(e.ctx, e.caller, "")
		require.NoError(t, err)
		require.Empty(t, u.Locale)
		require.NoError(t, e.svc.RemovePasskey(e.ctx, e.caller, keys[2].ID))
		flowtest.MessagesTo(t, fe.Outbox, "ada@example.com", "安全通知", 1)
	})
}
