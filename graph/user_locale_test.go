package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
)

// A user's preferred language, set through the account API, words what an
// administrator's change (through the API, with no page of the user's)
// sends them: the security notice of a removed passkey and an emailed
// recovery link. Without one, the tenant's default (English) applies; a
// language the administrator names for the link comes first.
func TestUserLocale_TheUsersLanguageWordsTheNoticesAndLinksOfTheConsolesChanges(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			to := "ada@acme.example"
			set := `mutation($l: String!) { setLocale(locale: $l) { locale } }`
			d := e.ok(t, p, user, set, map[string]any{"l": "ZH-cn"})
			require.Equal(t, "zh-CN", path(d, "setLocale", "locale"))
			e.refused(t, p, user, "invalid_input", set, map[string]any{"l": "fr"})
			d = e.ok(t, p, user, `{ me { locale } }`, nil)
			require.Equal(t, "zh-CN", path(d, "me", "locale"))

			removePasskey := `mutation($u: ID!, $k: ID!) { removeUserPasskey(userId: $u, passkeyId: $k) }`
			first, second := e.addCredential(t, p, p.user, "one"), e.addCredential(t, p, p.user, "two")
			e.ok(t, p, admin, removePasskey, map[string]any{"u": p.user.ID.String(), "k": first.ID.String()})
			got := flowtest.MessagesTo(t, e.outbox, to, "安全通知", 1)
			require.Equal(t, "来自 "+p.tenant.Name+" 的安全通知", got[0].Subject)

			link := `mutation($u: ID!, $l: String) { emailRecoveryLink(userId: $u, lang: $l) }`
			e.ok(t, p, admin, link, map[string]any{"u": p.user.ID.String()})
			got = flowtest.MessagesTo(t, e.outbox, to, "恢复链接", 1)
			require.Equal(t, "您的 "+p.tenant.Name+" 恢复链接", got[0].Subject)
			e.ok(t, p, admin, link, map[string]any{"u": p.user.ID.String(), "l": "es"})
			flowtest.MessagesTo(t, e.outbox, to, "Tu enlace de recuperación", 1)

			d = e.ok(t, p, user, set, map[string]any{"l": ""})
			require.Equal(t, "", path(d, "setLocale", "locale"))
			u, err := e.scope(p).Users().ByID(context.Background(), p.user.ID)
			require.NoError(t, err)
			require.Empty(t, u.Locale)
			e.ok(t, p, admin, removePasskey, map[string]any{"u": p.user.ID.String(), "k": second.ID.String()})
			got = flowtest.MessagesTo(t, e.outbox, to, "Security notice", 1)
			require.Equal(t, "Security notice from "+p.tenant.Name, got[0].Subject)
		})
	}
}
