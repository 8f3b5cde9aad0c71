package graph_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pquerna/otp/totp"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// The account API's code checks under concurrency: a hundred wrong codes
// sent at once compare at most the limit (answered invalid_code; the rest
// are refused before comparing), and the right code sent once the limit is
// spent is refused. See the sign-in's limits tests for why PostgreSQL.

// wrongThenRight posts the mutation with the wrong code n times at once
// and, as soon as cap of them were answered invalid_code, with the right
// one; it returns the wrong codes' outcomes by error code and the right
// one's answer.
func (e *apiEnv) wrongThenRight(t *testing.T, p *party, n, cap int, query string, vars func(code string) map[string]any, wrong, right string) (map[string]int, answer) {
	t.Helper()
	var (
		mu       sync.Mutex
		outcomes = map[string]int{}
		invalid  atomic.Int32
		wg       sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			code := e.post(t, p.host, user, p, query, vars(wrong)).code()
			if code == flows.ErrInvalidCode.Code {
				invalid.Add(1)
			}
			mu.Lock()
			outcomes[code]++
			mu.Unlock()
		})
	}
	require.Eventually(t, func() bool { return int(invalid.Load()) >= cap }, 30*time.Second, time.Millisecond,
		"the wrong codes never reached the limit")
	a := e.post(t, p.host, user, p, query, vars(right))
	wg.Wait()
	return outcomes, a
}

func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestAccountLimits_ConcurrentWrongAuthenticatorAppCodesCompareAtMostTheLimit(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			next := p.tenant.Settings
			next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorBackupCodes}
			tn, err := e.srv.Tenants.UpdateSettings(context.Background(), p.tenant, next, false)
			require.NoError(t, err)
			p.tenant = tn
			d := e.ok(t, p, user, `mutation { beginTOTP { secret } }`, nil)
			right, err := totp.GenerateCode(path(d, "beginTOTP", "secret").(string), e.clock.Now())
			require.NoError(t, err)

			outcomes, a := e.wrongThenRight(t, p, 100, graph.TOTPConfirmAttempts,
				`mutation($c: String!) { confirmTOTP(code: $c) { mfaEnabled } }`,
				func(c string) map[string]any { return map[string]any{"c": c} }, otherCode(right), right)
			require.Equal(t, flows.ErrTooManyAttempts.Code, a.code(), "the right code after the limit")
			require.Equal(t, map[string]int{flows.ErrInvalidCode.Code: graph.TOTPConfirmAttempts, flows.ErrTooManyAttempts.Code: 100 - graph.TOTPConfirmAttempts}, outcomes)
			f, err := e.scope(p).TOTP().Get(context.Background(), p.user.ID)
			require.NoError(t, err)
			require.Nil(t, f.ConfirmedAt, "the app is not bound")
		})
	}
}

func TestAccountLimits_ConcurrentWrongPhoneBindingCodesCompareAtMostTheCap(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			next := p.tenant.Settings
			next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorSMS, tenants.FactorBackupCodes}
			tn, err := e.srv.Tenants.UpdateSettings(context.Background(), p.tenant, next, false)
			require.NoError(t, err)
			p.tenant = tn
			d := e.ok(t, p, user, `mutation { beginSMSFactor(phone: "+1 415 555 0100") { binding } }`, nil)
			binding := path(d, "beginSMSFactor", "binding").(string)
			right := e.codeSentTo(t, "+14155550100")

			outcomes, a := e.wrongThenRight(t, p, 100, flows.CodeMaxAttempts,
				`mutation($b: String!, $c: String!) { confirmSMSFactor(binding: $b, code: $c) { mfaEnabled } }`,
				func(c string) map[string]any { return map[string]any{"b": binding, "c": c} }, otherCode(right), right)
			require.Equal(t, flows.ErrCodeLocked.Code, a.code(), "the right code after the cap")
			require.Equal(t, map[string]int{flows.ErrInvalidCode.Code: flows.CodeMaxAttempts, flows.ErrCodeLocked.Code: 100 - flows.CodeMaxAttempts}, outcomes)
			_, err = e.scope(p).SMSFactors().Get(context.Background(), p.user.ID)
			require.ErrorIs(t, err, db.ErrNotFound, "no phone bound")
		})
	}
}
