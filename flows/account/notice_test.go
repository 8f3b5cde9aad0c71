package account_test

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// noticeEnv is accountEnv on flowtest's environment: its job client sends
// the notices to its outbox.
func noticeEnv(t *testing.T, d *db.DB, ids ...*db.Identifier) (*accountEnv, *flowtest.Env) {
	t.Helper()
	fe := flowtest.New(t, d)
	fe.UpdateSettings(t, func(s *tenants.Settings) {
		s.MFA.Policy = tenants.MFAUserControlled
		s.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorBackupCodes}
	})
	e := &accountEnv{ctx: fe.Ctx, d: d, ts: fe.Tenants, clock: fe.Clock, tenant: fe.Tenant, svc: account.New(fe.Deps())}
	handle := make([]byte, 16)
	_, _ = rand.Read(handle)
	u := &db.User{WebAuthnHandle: handle, DisplayName: "Ada"}
	require.NoError(t, e.scope().Users().Create(e.ctx, u, ids...))
	issued, err := flows.IssueSession(e.ctx, e.scope(), u.ID, []string{flows.AMRWebAuthn}, flows.RequestInfo{IP: "192.0.2.1"}, fe.Clock.Now())
	require.NoError(t, err)
	issued.Session.User = u
	e.caller = account.Caller{Tenant: fe.Tenant, Session: issued.Session, Request: flows.RequestInfo{IP: "192.0.2.1"}}
	return e, fe
}

func TestNotice_PasskeyAndFactorChangesEmailTheUserOnceEachInTheTenantsLanguage(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Now()
		e, fe := noticeEnv(t, d,
			&db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com", VerifiedAt: &now},
			&db.Identifier{Kind: db.IdentifierEmail, Value: "unproved@example.com"})
		fe.UpdateSettings(t, func(s *tenants.Settings) { s.DefaultLocale = "zh-CN" })
		e.tenant = fe.Tenant
		e.caller.Tenant = fe.Tenant

		first, _ := e.passkey(t), e.passkey(t)
		require.NoError(t, e.svc.RemovePasskey(e.ctx, e.caller, first.ID))
		en, err := e.svc.BeginTOTP(e.ctx, e.caller)
		require.NoError(t, err)
		_, err = e.svc.ConfirmTOTP(e.ctx, e.caller, e.code(t, en.Secret))
		require.NoError(t, err)
		codes, err := e.svc.RegenerateBackupCodes(e.ctx, e.caller)
		require.NoError(t, err)
		_, err = e.svc.RemoveFactor(e.ctx, e.caller, tenants.FactorTOTP)
		require.NoError(t, err)

		got := flowtest.MessagesTo(t, fe.Outbox, "ada@example.com", "安全通知", 4)
		want := []string{"已移除通行密钥", "已添加身份验证器应用", "已生成备用码", "已移除身份验证器应用"}
		for _, w := range want {
			n := 0
			for _, m := range got {
				require.Equal(t, "来自 "+fe.Tenant.Name+" 的安全通知", m.Subject)
				require.NotContains(t, m.Body, en.Secret)
				for _, c := range codes {
					require.NotContains(t, m.Body, c)
				}
				if strings.Contains(m.Body, w) {
					n++
				}
			}
			require.Equal(t, 1, n, "%q once", w)
		}
		require.Zero(t, fe.Sent("unproved@example.com"), "an unverified address is told nothing")
	})
}

// A passkey added through the account API (the add-passkey flow) and
// removed through it tells its user once each; another user of the
// tenant is told nothing.
func TestNotice_APasskeyAddedAndRemovedThroughTheAccountAPITellsItsUserOnceEach(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Now()
		e, fe := noticeEnv(t, d, &db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com", VerifiedAt: &now})
		bob := &db.User{WebAuthnHandle: []byte("bob-handle"), DisplayName: "Bob"}
		require.NoError(t, e.scope().Users().Create(e.ctx, bob, &db.Identifier{Kind: db.IdentifierEmail, Value: "bob@example.com", VerifiedAt: &now}))

		engine, err := addpasskey.New(fe.Deps())
		require.NoError(t, err)
		uid, sid := e.caller.Session.UserID, e.caller.Session.ID
		// The page that adds the passkey speaks Spanish: so does its notice.
		req := flows.RequestInfo{IP: "192.0.2.1", UserID: &uid, SessionID: &sid, Lang: "es"}
		res, err := engine.Begin(e.ctx, fe.Tenant, addpasskey.Context{UserID: uid}, addpasskey.ActionPasskeyBegin, json.RawMessage(`{}`), req)
		require.NoError(t, err)
		dev := flowtest.NewDevice(e.caller.Session.User.WebAuthnHandle)
		opts := res.Output.(passkey.Begun)
		res, err = engine.Run(e.ctx, fe.Tenant, res.Token, addpasskey.ActionPasskeyFinish, flowtest.Credential(t, dev.Create(t, fe.RelyingParty(), opts.Passkey.PublicKey)), req)
		require.NoError(t, err)
		added := res.Output.(addpasskey.Added)
		got := flowtest.MessagesTo(t, fe.Outbox, "ada@example.com", "Aviso de seguridad", 1)
		require.Equal(t, "Aviso de seguridad de "+fe.Tenant.Name, got[0].Subject)
		require.True(t, strings.HasPrefix(got[0].Body, "Se añadió una llave de acceso en tu cuenta de "+fe.Tenant.Name+"."), got[0].Body)

		// The account API's caller names no language: the tenant's (English).
		require.NoError(t, e.svc.RemovePasskey(e.ctx, e.caller, added.ID))
		got = flowtest.MessagesTo(t, fe.Outbox, "ada@example.com", "Security notice", 1)
		require.Equal(t, "Security notice from "+fe.Tenant.Name, got[0].Subject)
		require.True(t, strings.HasPrefix(got[0].Body, "A passkey was removed on your "+fe.Tenant.Name+" account."), got[0].Body)
		require.Zero(t, fe.Sent("bob@example.com"))
	})
}

func TestNotice_AUserWithOnlyAPhoneGetsAnSMS(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Now()
		e, fe := noticeEnv(t, d, &db.Identifier{Kind: db.IdentifierPhone, Value: "+14155550123", VerifiedAt: &now})
		first, _ := e.passkey(t), e.passkey(t)
		require.NoError(t, e.svc.RemovePasskey(e.ctx, e.caller, first.ID))
		got := flowtest.MessagesTo(t, fe.Outbox, "+14155550123", "A passkey was removed", 1)
		require.Equal(t, "sms", string(got[0].Kind))
		require.Contains(t, got[0].Body, fe.Tenant.Name)
	})
}
