package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/flowtest"
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

// "Email it to the user": the job makes the link and emails it, in the
// language asked for, to the user's verified addresses only; the answer
// names them and never carries the link, which works once. A user without
// a verified email is recovery_no_email; another tenant's, not_found.
func TestRecovery_AnEmailedLinkReachesTheUsersVerifiedAddressAndWorksOnce(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			now := e.clock.Now()
			grace := &db.User{WebAuthnHandle: []byte("grace-handle"), DisplayName: "Grace"}
			require.NoError(t, e.scope(p).Users().Create(context.Background(), grace,
				&db.Identifier{Kind: db.IdentifierEmail, Value: "grace@acme.example", VerifiedAt: &now},
				&db.Identifier{Kind: db.IdentifierEmail, Value: "unproved@acme.example"}))
			q := `mutation($u: ID!, $l: String) { emailRecoveryLink(userId: $u, lang: $l) }`
			d := e.ok(t, p, admin, q, map[string]any{"u": grace.ID.String(), "l": "es"})
			require.Equal(t, []any{"grace@acme.example"}, path(d, "emailRecoveryLink"))
			require.NotContains(t, fmt.Sprint(d), "#link=")

			got := flowtest.MessagesTo(t, e.outbox, "grace@acme.example", "recuperación", 1)
			require.Equal(t, "Tu enlace de recuperación de "+p.tenant.Name, got[0].Subject)
			prefix := e.srv.URL("acme") + "/recover#link="
			i := strings.Index(got[0].Body, prefix)
			require.GreaterOrEqual(t, i, 0, got[0].Body)
			token := strings.Fields(got[0].Body[i+len(prefix):])[0]
			uid, err := e.scope(p).RecoveryLinks().Use(context.Background(), flows.HashToken(token), e.clock.Now())
			require.NoError(t, err)
			require.Equal(t, grace.ID, uid)
			_, err = e.scope(p).RecoveryLinks().Use(context.Background(), flows.HashToken(token), e.clock.Now())
			require.ErrorIs(t, err, db.ErrNotFound, "once")
			require.Zero(t, flowtest.Sent(e.outbox, "unproved@acme.example"))

			phoneOnly := &db.User{WebAuthnHandle: []byte("phone-only-handle"), DisplayName: "Phone"}
			require.NoError(t, e.scope(p).Users().Create(context.Background(), phoneOnly, &db.Identifier{Kind: db.IdentifierPhone, Value: "+14155550100"}))
			a := e.post(t, p.host, admin, p, q, map[string]any{"u": phoneOnly.ID.String()})
			require.Equal(t, "recovery_no_email", a.code())
			a = e.post(t, p.host, admin, p, q, map[string]any{"u": e.bravo.user.ID.String()})
			require.Equal(t, "not_found", a.code())
			a = e.post(t, p.host, admin, p, q, map[string]any{"u": p.user.ID.String(), "l": "fr"})
			require.Equal(t, "invalid_input", a.code())
		})
	}
}
