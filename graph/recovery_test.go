package graph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestRecovery_AdminMakesAOneTimeLinkForAUserOfTheTenantOnly(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p, q := e.acme, e.bravo
			q1 := `mutation($u: ID!) { createRecoveryLink(userId: $u) { url expiresAt } }`
			d := e.ok(t, p, admin, q1, map[string]any{"u": p.user.ID.String()})
			url := path(d, "createRecoveryLink", "url").(string)
			prefix := e.srv.URL("acme") + "/recover#link="
			require.True(t, strings.HasPrefix(url, prefix), url)
			expires, err := time.Parse(time.RFC3339, path(d, "createRecoveryLink", "expiresAt").(string))
			require.NoError(t, err)
			require.WithinDuration(t, e.clock.Now().Add(24*time.Hour), expires, time.Second)
			// The link is stored hashed: spending its hash works once.
			token := strings.TrimPrefix(url, prefix)
			uid, err := e.scope(p).RecoveryLinks().Use(context.Background(), flows.HashToken(token), e.clock.Now())
			require.NoError(t, err)
			require.Equal(t, p.user.ID, uid)
			_, err = e.scope(p).RecoveryLinks().Use(context.Background(), flows.HashToken(token), e.clock.Now())
			require.Error(t, err)

			// Another tenant's user, named on acme's host: not found.
			a := e.post(t, p.host, admin, p, q1, map[string]any{"u": q.user.ID.String()})
			require.Equal(t, "not_found", a.code())
			// A user cannot make one.
			a = e.post(t, p.host, user, p, q1, map[string]any{"u": p.user.ID.String()})
			require.NotEmpty(t, a.code())

			// The tenant's rule: off by default, set through the settings.
			d = e.ok(t, p, admin, `{ tenant { settingsVersion settings { recovery { allowWithoutPasskey } } } }`, nil)
			require.Equal(t, false, path(d, "tenant", "settings", "recovery", "allowWithoutPasskey"))
			v := path(d, "tenant", "settingsVersion")
			d = e.ok(t, p, admin, `mutation($v: Int!) { updateSettings(input: {version: $v, recovery: {allowWithoutPasskey: true}}) { settings { recovery { allowWithoutPasskey } } } }`, map[string]any{"v": v})
			require.Equal(t, true, path(d, "updateSettings", "settings", "recovery", "allowWithoutPasskey"))
		})
	}
}
