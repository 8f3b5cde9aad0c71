package recovery_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestRecovery_PasskeyOnlyUserRecoversByEmailCodeWithANewPasskeyAndRemovesTheOld(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		token, res := e.proveByCode(t, m.email)
		require.Equal(t, recovery.Passkey, res.State, "one proof is enough for a passkey-only user")
		require.Nil(t, res.Session)
		require.Equal(t, false, outputJSON(t, res)["may_skip"])

		// No session without a new passkey.
		_, err := e.run(token, recovery.ActionFinish, nil)
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)

		_, res = e.newPasskey(t, token, m)
		require.Equal(t, recovery.Review, res.State)
		list := outputJSON(t, res)["passkeys"].([]any)
		require.Len(t, list, 2)
		var fresh string
		for _, p := range list {
			p := p.(map[string]any)
			if p["new"] == true {
				fresh = p["id"].(string)
			}
		}
		require.NotEmpty(t, fresh)

		// The new passkey stays; the old one goes.
		_, err = e.run(token, recovery.ActionPasskeyRemove, input(t, map[string]string{"id": fresh}))
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		res, err = e.run(token, recovery.ActionPasskeyRemove, input(t, map[string]string{"id": m.old.ID.String()}))
		require.NoError(t, err)
		require.Len(t, outputJSON(t, res)["passkeys"].([]any), 1)
		creds, err := e.Scope().Credentials().ByUser(e.Ctx, m.user.ID, "")
		require.NoError(t, err)
		require.Len(t, creds, 1)
		require.Equal(t, fresh, creds[0].ID.String())

		res, err = e.run(token, recovery.ActionFinish, nil)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.NotNil(t, res.Session)
		require.Equal(t, m.user.ID, res.Session.Session.UserID)
		require.Equal(t, "otp,recovery", res.Session.Session.AMR)
	})
}

func TestRecovery_UnknownAddressGetsTheSameAnswersAsAKnownOne(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		const nobody = "nobody@example.com"
		tk, known := e.identify(t, m.email)
		tu, unknown := e.identify(t, nobody)
		require.Equal(t, known.State, unknown.State)
		require.Equal(t, outputJSON(t, known), outputJSON(t, unknown))

		// A code goes to both addresses, with the same answer.
		e.sendCode(t, tk, m.email)
		right := e.sendCode(t, tu, nobody)
		// The right code for an address no account holds is a wrong code,
		// exactly as a wrong code for a known one.
		_, errUnknown := e.run(tu, recovery.ActionCodeVerify, input(t, map[string]string{"code": right}))
		_, errKnown := e.run(tk, recovery.ActionCodeVerify, input(t, map[string]string{"code": "000000"}))
		flowtest.RequirePublic(t, flows.ErrInvalidCode, errUnknown)
		require.Equal(t, flows.Public(errKnown), flows.Public(errUnknown))

		// Backup codes: the same for an unknown address.
		_, errUnknown = e.run(tu, recovery.ActionBackupCode, input(t, map[string]string{"code": "abcd-efgh"}))
		_, errKnown = e.run(tk, recovery.ActionBackupCode, input(t, map[string]string{"code": "abcd-efgh"}))
		flowtest.RequirePublic(t, flows.ErrInvalidCode, errUnknown)
		require.Equal(t, flows.Public(errKnown), flows.Public(errUnknown))
	})
}

func TestRecovery_UnverifiedAddressRecoversNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := &db.User{WebAuthnHandle: random(t, 32), DisplayName: "claimant"}
		require.NoError(t, e.Scope().Users().Create(e.Ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: "claimed@example.com"}))
		token, _ := e.identify(t, "claimed@example.com")
		code := e.sendCode(t, token, "claimed@example.com")
		_, err := e.run(token, recovery.ActionCodeVerify, input(t, map[string]string{"code": code}))
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
	})
}

func TestRecovery_AUserWithTOTPMustAlsoPassIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		secret := withTOTP(t, e, m)
		token, res := e.proveByCode(t, m.email)
		require.Equal(t, recovery.MFA, res.State, "the address code alone is not enough with 2-step verification on")
		require.Equal(t, []any{tenants.FactorTOTP}, outputJSON(t, res)["factors"])
		// Nothing leads past the second proof: not the passkey, not finish.
		_, err := e.run(token, recovery.ActionPasskeyBegin, nil)
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		_, err = e.run(token, recovery.ActionFinish, nil)
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		_, err = e.run(token, recovery.ActionMFATOTP, input(t, map[string]string{"code": wrongTOTP(e.TOTPCode(t, secret))}))
		flowtest.RequirePublic(t, flows.ErrInvalidCode, err)
		res, err = e.run(token, recovery.ActionMFATOTP, input(t, map[string]string{"code": e.TOTPCode(t, secret)}))
		require.NoError(t, err)
		require.Equal(t, recovery.Passkey, res.State)
		e.newPasskey(t, token, m)
		res, err = e.run(token, recovery.ActionFinish, nil)
		require.NoError(t, err)
		require.Equal(t, "otp,otp,mfa,recovery", res.Session.Session.AMR)
	})
}

func TestRecovery_ABackupCodeFirstIsTheSecondFactorAndTheAddressIsStillProved(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		withTOTP(t, e, m)
		codes, err := flows.IssueBackupCodes(e.Ctx, e.Scope(), m.user.ID, e.Clock.Now())
		require.NoError(t, err)
		token, _ := e.identify(t, m.email)
		res, err := e.run(token, recovery.ActionBackupCode, input(t, map[string]string{"code": codes[0]}))
		require.NoError(t, err)
		require.Equal(t, recovery.Proof, res.State, "the address is still to prove")
		require.Equal(t, "code", outputJSON(t, res)["next"])
		_, err = e.run(token, recovery.ActionBackupCode, input(t, map[string]string{"code": codes[1]}))
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		code := e.sendCode(t, token, m.email)
		res, err = e.run(token, recovery.ActionCodeVerify, input(t, map[string]string{"code": code}))
		require.NoError(t, err)
		require.Equal(t, recovery.Passkey, res.State, "backup code and address: no authenticator app asked for")
	})
}

func TestRecovery_APasskeyOnlyUserMayUseABackupCodeAlone(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		codes, err := flows.IssueBackupCodes(e.Ctx, e.Scope(), m.user.ID, e.Clock.Now())
		require.NoError(t, err)
		token, _ := e.identify(t, m.email)
		res, err := e.run(token, recovery.ActionBackupCode, input(t, map[string]string{"code": strings.ToUpper(codes[0])}))
		require.NoError(t, err)
		require.Equal(t, recovery.Passkey, res.State)
	})
}

func TestRecovery_TheTenantMayLetARecoveryEndWithoutANewPasskey(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		require.False(t, e.Tenant.Settings.Recovery.AllowWithoutPasskey, "off by default")
		e.UpdateSettings(t, func(s *tenants.Settings) { s.Recovery.AllowWithoutPasskey = true })
		m := e.member(t, "ann")
		token, res := e.proveByCode(t, m.email)
		require.Equal(t, true, outputJSON(t, res)["may_skip"])
		res, err := e.run(token, recovery.ActionFinish, nil)
		require.NoError(t, err)
		require.Equal(t, m.user.ID, res.Session.Session.UserID)
	})
}

// withTOTP gives m a confirmed authenticator app and 2-step verification
// on, and returns the app's secret.
func withTOTP(t *testing.T, e *env, m *member) string {
	t.Helper()
	const secret = "JBSWY3DPEHPK3PXP"
	require.NoError(t, e.Scope().TOTP().Start(e.Ctx, m.user.ID, secret, e.Clock.Now()))
	require.NoError(t, flows.VerifyTOTP(e.Ctx, e.Scope(), m.user.ID, flowtest.TOTPCodeAt(t, secret, e.Clock.Now().Add(-30e9)), e.Clock.Now(), flows.TOTPPending))
	require.NoError(t, e.Scope().Users().SetMFA(e.Ctx, m.user.ID, true))
	return secret
}

func wrongTOTP(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

func TestRecovery_TheAdminTenantHasNoRecoveryByAnyStep(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		adminTenant, err := e.Tenants.EnsureAdmin(e.Ctx)
		require.NoError(t, err)
		for _, action := range []string{recovery.ActionIdentify, recovery.ActionLink} {
			_, err := e.engine.Begin(e.Ctx, adminTenant, recovery.Context{}, action, input(t, map[string]string{"identifier": "root@example.com", "token": "x"}), e.req)
			require.Error(t, err)
			require.Equal(t, "not_found", flows.Public(err).Code, action)
		}
	})
}
