package signup_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
)

// The code checks of sign-up under concurrency (see also the sign-in's
// limits tests): a hundred wrong codes sent at once on one flow are each
// answered invalid_code (compared and counted) or code_locked (refused
// before comparing), at most the cap of them invalid_code, and the right
// code sent once the cap is spent is refused. On PostgreSQL a count that a
// rolled-back request undid would let more than the cap be compared (and
// answer flow_changed) and the right code in.

// wrongThenRight sends n wrong codes at once and, as soon as cap of them
// were answered invalid_code, the right one; it returns the wrong codes'
// outcomes by public error code and the right one's error.
func wrongThenRight(t *testing.T, n, cap int, guess func(code string) error, wrong, right string) (map[string]int, error) {
	t.Helper()
	var (
		mu       sync.Mutex
		outcomes = map[string]int{}
		invalid  atomic.Int32
		wg       sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			code := "ok"
			if err := guess(wrong); err != nil {
				code = flows.Public(err).Code
			}
			if code == flows.ErrInvalidCode.Code {
				invalid.Add(1)
			}
			mu.Lock()
			outcomes[code]++
			mu.Unlock()
		})
	}
	require.Eventually(t, func() bool { return int(invalid.Load()) >= cap }, 30*time.Second, time.Millisecond,
		"the wrong codes never reached the cap")
	err := guess(right)
	wg.Wait()
	return outcomes, err
}

// otherCode returns a six-digit code other than code.
func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSignUpLimits_ConcurrentWrongIdentifierCodesCompareAtMostTheCap(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		n := e.start(t)
		n.email = "hal@example.com"
		_, err := e.form(n, map[string]string{"email": n.email})
		require.NoError(t, err)
		code := e.CodeTo(t, n.email, 0)

		outcomes, err := wrongThenRight(t, 100, flows.CodeMaxAttempts, func(c string) error {
			_, err := e.run(n, signup.ActionCodeVerify, map[string]string{"code": c})
			return err
		}, otherCode(code), code)
		flowtest.RequirePublic(t, flows.ErrCodeLocked, err)
		require.Equal(t, map[string]int{flows.ErrInvalidCode.Code: flows.CodeMaxAttempts, flows.ErrCodeLocked.Code: 100 - flows.CodeMaxAttempts}, outcomes)
		_, err = e.Scope().Users().ByIdentifier(e.Ctx, db.IdentifierEmail, n.email)
		require.ErrorIs(t, err, db.ErrNotFound, "no account")
	})
}

func TestSignUpLimits_ConcurrentWrongPhoneBindingCodesCompareAtMostTheCap(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignUpEnv(t, d)
		e.UpdateSettings(t, withSMS)
		n, _ := e.signUpByEmail(t, "rex")
		require.Equal(t, signup.TwoStep, e.bindPasskey(t, n).State)
		_, err := e.run(n, signup.ActionTwoStepEnable, struct{}{})
		require.NoError(t, err)
		const phone = "+15555550177"
		_, err = e.run(n, signup.ActionSMSSend, map[string]string{"phone": phone})
		require.NoError(t, err)
		code := e.CodeTo(t, phone, 0)

		outcomes, err := wrongThenRight(t, 100, flows.CodeMaxAttempts, func(c string) error {
			_, err := e.run(n, signup.ActionSMSVerify, map[string]string{"code": c})
			return err
		}, otherCode(code), code)
		flowtest.RequirePublic(t, flows.ErrCodeLocked, err)
		require.Equal(t, map[string]int{flows.ErrInvalidCode.Code: flows.CodeMaxAttempts, flows.ErrCodeLocked.Code: 100 - flows.CodeMaxAttempts}, outcomes)
		_, err = e.Scope().SMSFactors().Get(e.Ctx, n.userID)
		require.ErrorIs(t, err, db.ErrNotFound, "no phone bound")
	})
}
