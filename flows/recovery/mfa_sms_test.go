package recovery_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

const phone = "+14155550123"

// withSMSFactor turns the tenant's SMS factor on and gives m one on phone,
// with 2-step verification on.
func withSMSFactor(t *testing.T, e *env, m *member) {
	t.Helper()
	e.UpdateSettings(t, func(s *tenants.Settings) {
		s.MFA.Factors = append(s.MFA.Factors, tenants.FactorSMS)
	})
	require.NoError(t, e.Scope().SMSFactors().Set(e.Ctx, m.user.ID, phone, e.Clock.Now()))
	require.NoError(t, e.Scope().Users().SetMFA(e.Ctx, m.user.ID, true))
}

func TestRecovery_TheSMSFactorIsTheSecondProofAfterAnEmailCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		withSMSFactor(t, e, m)
		token, res := e.proveByCode(t, m.email)
		require.Equal(t, recovery.MFA, res.State)
		require.Equal(t, []any{recovery.FactorSMS}, outputJSON(t, res)["factors"])
		_, err := e.run(token, recovery.ActionMFASMSVerify, input(t, map[string]string{"code": "123456"}))
		flowtest.RequirePublic(t, flows.ErrActionNotAllowed, err)
		before := flowtest.Sent(e.Outbox, phone)
		res, err = e.run(token, recovery.ActionMFASMSSend, nil)
		require.NoError(t, err)
		require.NotContains(t, outputJSON(t, res)["sent_to"], "5550123", "the number masked")
		code := flowtest.CodeTo(t, e.Outbox, phone, before)
		res, err = e.run(token, recovery.ActionMFASMSVerify, input(t, map[string]string{"code": code}))
		require.NoError(t, err)
		require.Equal(t, recovery.Passkey, res.State)
	})
}

func TestRecovery_OnePhoneCannotBeBothProofs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		withSMSFactor(t, e, m)
		now := e.Clock.Now()
		require.NoError(t, e.Scope().Users().AddIdentifier(e.Ctx, m.user.ID, &db.Identifier{Kind: db.IdentifierPhone, Value: phone}, now))
		token, _ := e.identify(t, phone)
		code := e.sendCode(t, token, phone)
		_, err := e.run(token, recovery.ActionCodeVerify, input(t, map[string]string{"code": code}))
		flowtest.RequirePublic(t, flows.ErrMethodNotAvailable, err)
		_, err = e.run(token, recovery.ActionMFASMSSend, nil)
		require.Error(t, err, "nothing past the refusal")
	})
}
