package signin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/webhook"
)

// auditEvents returns the tenant's audit log, oldest first.
func (e *signInEnv) auditEvents(t *testing.T) []*db.AuditEvent {
	t.Helper()
	got, _, err := e.Scope().Audit().List(e.Ctx, db.AuditPage{Limit: 100})
	require.NoError(t, err)
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return got
}

func TestAudit_EachSignInAndFailureIsRecordedOnceWithMethodAMRAndClient(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		e.setPassword(t, ada, adaPassword)

		// A passkey that fails its check: the finish rolls back, its event stays.
		token, publicKey := e.begin(t)
		_, err := e.finish(token, ada.forged(t, e, publicKey))
		require.Same(t, flows.ErrPasskeyFailed, flows.Public(err))
		// A passkey that signs in.
		token, publicKey = e.begin(t)
		_, err = e.finish(token, ada.answer(t, e, publicKey))
		require.NoError(t, err)
		// A wrong password, then the right one.
		token = e.identified(t, ada.email)
		_, err = e.password(token, adaPassword+"!")
		require.Same(t, flows.ErrInvalidCredentials, flows.Public(err))
		_, err = e.password(token, adaPassword)
		require.NoError(t, err)

		got := e.auditEvents(t)
		require.Len(t, got, 4, "one event per attempt, none for the steps between")
		want := []struct {
			typ    audit.Type
			method string
			amr    string
			result string
			user   bool
		}{
			{audit.SignInFailed, "passkey", "", flows.ErrPasskeyFailed.Code, false},
			{audit.SignInSucceeded, "passkey", flows.AMRWebAuthn, audit.Success, true},
			{audit.SignInFailed, "password", "", flows.ErrInvalidCredentials.Code, true},
			{audit.SignInSucceeded, "password", flows.AMRPassword, audit.Success, true},
		}
		for i, w := range want {
			ev := got[i]
			require.Equal(t, string(w.typ), ev.Type, "event %d", i)
			require.Equal(t, w.method, ev.Method, "event %d", i)
			require.Equal(t, w.amr, ev.AMR, "event %d", i)
			require.Equal(t, w.result, ev.Result, "event %d", i)
			require.Equal(t, "127.0.0.1", ev.IP)
			require.Equal(t, "test", ev.UserAgent)
			require.Equal(t, e.Tenant.ID, ev.TenantID)
			require.WithinDuration(t, e.Clock.Now().Add(90*24*60*60e9), ev.ExpiresAt, 61e9, "kept for the default 90 days")
			if w.user {
				require.NotNil(t, ev.UserID, "event %d", i)
				require.Equal(t, ada.user.ID, *ev.UserID)
			} else {
				require.Nil(t, ev.UserID, "event %d", i)
				require.Equal(t, audit.Anonymous, ev.Actor)
			}
		}
		require.Equal(t, audit.UserActor(ada.user.ID), got[1].Actor)
	})
}

// A sign-in a webhook endpoint of the tenant wants takes the general path
// (audit.Record): the session's insert, the event's, and the delivery with
// its job; nothing is folded away.
func TestAudit_APasskeySignInAWebhookWantsIsDeliveredAsWellAsRecorded(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", true)
		ep := &db.WebhookEndpoint{URL: "https://hooks.example.com/in", Events: string(audit.SignInSucceeded), Enabled: true, Secret: webhook.NewSecret()}
		require.NoError(t, d.InTx(e.Ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.ForTenant(e.Tenant.ID).Webhooks().SaveEndpoint(ctx, ep, e.Clock.Now())
		}))
		tn, err := e.Tenants.ByID(e.Ctx, e.Tenant.ID)
		require.NoError(t, err)
		require.Contains(t, tn.WebhookEvents, string(audit.SignInSucceeded))
		e.Tenant = tn

		token, publicKey := e.begin(t)
		ctx, count := db.CountStatements(e.Ctx)
		res, err := e.engine.Run(ctx, e.Tenant, token, signin.ActionPasskeyFinish, ada.answer(t, e, publicKey), e.req)
		require.NoError(t, err)
		require.NotNil(t, res.Session)
		t.Logf("finish with a webhook: %d statements", count.N())
		require.Greater(t, count.N(), 5, "the delivery costs statements of its own:\n%s", strings.Join(count.Log(), "\n"))

		got := e.auditEvents(t)
		require.Len(t, got, 1)
		require.Equal(t, string(audit.SignInSucceeded), got[0].Type)
		ds, _, err := e.Scope().Webhooks().Deliveries(e.Ctx, db.DeliveryPage{EndpointID: ep.ID, Limit: 10})
		require.NoError(t, err)
		require.Len(t, ds, 1, "the endpoint gets the sign-in")
		require.Equal(t, got[0].ID, ds[0].EventID)
		s, err := flows.LookupSession(e.Ctx, e.Scope(), res.Session.Token, e.Clock.Now())
		require.NoError(t, err)
		require.Equal(t, ada.user.ID, s.UserID)
	})
}
