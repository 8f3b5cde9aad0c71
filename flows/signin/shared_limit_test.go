package signin_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/testdb"
)

// Wrong authenticator-app codes at the sign-in's second factor and wrong
// first codes of an app being set up in the account count on one per-user
// limit (flows.VerifyTOTP): spending it half at each door refuses the right
// code at both, and a right backup code too.
func TestMFA_TOTPAttemptsAtSignInAndInTheAccountShareOneLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob := e.member(t, "bob", true)
		e.setPassword(t, bob, bobPassword)
		e.setMFA(t, bob)
		codes := e.addBackupCodes(t, bob)

		// Bob, signed in on another device, starts setting up an app.
		issued, err := flows.IssueSession(e.Ctx, e.Scope(), bob.user.ID, []string{flows.AMRWebAuthn}, e.req, e.Clock.Now())
		require.NoError(t, err)
		issued.Session.User = bob.user
		caller := account.Caller{Tenant: e.Tenant, Session: issued.Session, Request: e.req}
		svc := account.New(flows.Deps{DB: d, Clock: e.Clock})
		en, err := svc.BeginTOTP(e.Ctx, caller)
		require.NoError(t, err)
		right := e.TOTPCode(t, en.Secret)
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}

		token := e.intoMFA(t, bob, bobPassword)
		atSignIn := flows.FactorAttemptsPerUser / 2
		for i := range atSignIn {
			_, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": wrong})
			require.ErrorIs(t, err, flows.ErrInvalidCode, "sign-in attempt %d", i+1)
		}
		for i := range flows.FactorAttemptsPerUser - atSignIn {
			_, err := svc.ConfirmTOTP(e.Ctx, caller, wrong)
			require.ErrorIs(t, err, flows.ErrInvalidCode, "account attempt %d", i+1)
		}

		_, err = svc.ConfirmTOTP(e.Ctx, caller, right)
		require.ErrorIs(t, err, flows.ErrTooManyAttempts, "the right first code once the limit is spent")
		_, err = e.run(token, signin.ActionMFABackupCode, map[string]string{"code": codes[0]})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts, "a right backup code at sign-in")
		f, err := e.Scope().TOTP().Get(e.Ctx, bob.user.ID)
		require.NoError(t, err)
		require.Nil(t, f.ConfirmedAt, "the app is not confirmed")
	})
}
