package signin_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/testdb"
)

// The attempt limits under concurrency: many guesses sent at once on one
// flow (or one account) must compare no more secrets than the cap allows,
// and a right guess that arrives once the cap is spent must be refused. The
// comparisons are counted from the engine's authentication-attempt log,
// which records each compared guess (a wrong one as invalid_code or
// invalid_credentials) even when its request is later rolled back, so a
// count that a rollback undid shows up here. On SQLite the one connection
// runs the requests one at a time anyway; on PostgreSQL they really race.

// parallelGuesses is how many guesses each test sends at once.
const parallelGuesses = 100

// auditLog is a slog.Handler that keeps the method and result of every
// "authentication attempt" record.
type auditLog struct {
	mu      sync.Mutex
	records []auditRecord
}

type auditRecord struct{ method, result string }

func (l *auditLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *auditLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *auditLog) WithGroup(string) slog.Handler            { return l }

func (l *auditLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "authentication attempt" {
		return nil
	}
	var rec auditRecord
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "method":
			rec.method = a.Value.String()
		case "result":
			rec.result = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.records = append(l.records, rec)
	l.mu.Unlock()
	return nil
}

// count returns how many records of method have one of results.
func (l *auditLog) count(method string, results ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		for _, want := range results {
			if r.method == method && r.result == want {
				n++
			}
		}
	}
	return n
}

// compared is what a method's records say about guesses that reached the
// comparison: wrong ones and right ones.
func (l *auditLog) compared(method string) int {
	return l.count(method, flows.ErrInvalidCode.Code, flows.ErrInvalidCredentials.Code, "success", "mfa_required")
}

// guesses runs guess(i) for i in [0, n) at once and counts the outcomes by
// public error code ("ok" for no error).
func guesses(n int, guess func(i int) error) map[string]int {
	var (
		mu       sync.Mutex
		outcomes = map[string]int{}
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			code := "ok"
			if err := guess(i); err != nil {
				code = flows.Public(err).Code
			}
			mu.Lock()
			outcomes[code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return outcomes
}

// afterCap sends n wrong guesses at once and, as soon as the log shows that
// cap of them were compared, the right guess; it returns the outcomes of
// the wrong guesses and the error of the right one.
func afterCap(t *testing.T, e *signInEnv, method string, cap, n int, wrong, right func() error) (map[string]int, error) {
	t.Helper()
	done := make(chan map[string]int)
	go func() { done <- guesses(n, func(int) error { return wrong() }) }()
	require.Eventually(t, func() bool { return e.audits.compared(method) >= cap }, 30*time.Second, time.Millisecond,
		"the wrong guesses never reached the cap")
	err := right()
	return <-done, err
}

// requireOnly fails unless every outcome is one of allowed.
func requireOnly(t *testing.T, outcomes map[string]int, allowed ...string) {
	t.Helper()
	for code, n := range outcomes {
		require.Contains(t, allowed, code, "%d guesses answered %s (all: %v)", n, code, outcomes)
	}
}

func TestLimits_ConcurrentWrongSignInCodesCompareAtMostTheCapAndTheRightOneIsThenRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		token := e.start(t)
		e.identify(t, token, ada.email)
		code, _ := e.sentCode(t, token, ada.email)

		outcomes, err := afterCap(t, e, signin.MethodEmailCode, signin.CodeMaxAttempts, parallelGuesses,
			func() error { _, err := e.verifyCode(token, otherCode(code)); return err },
			func() error { _, err := e.verifyCode(token, code); return err })
		require.ErrorIs(t, err, flows.ErrCodeLocked, "the right code after the cap")
		requireOnly(t, outcomes, flows.ErrInvalidCode.Code, flows.ErrCodeLocked.Code)
		require.Equal(t, signin.CodeMaxAttempts, e.audits.compared(signin.MethodEmailCode), "codes compared")
		require.Equal(t, signin.CodeMaxAttempts, outcomes[flows.ErrInvalidCode.Code])
		require.Zero(t, e.sessions(t, ada.user.ID))
	})
}

func TestLimits_ConcurrentWrongPasswordsCompareAtMostTheAccountLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, bobPassword)
		token := e.identified(t, ada.email)

		outcomes, err := afterCap(t, e, signin.MethodPassword, signin.PasswordAttemptsPerAccount, 59,
			func() error { _, err := e.password(token, "not "+bobPassword); return err },
			func() error { _, err := e.password(token, bobPassword); return err })
		require.ErrorIs(t, err, flows.ErrTooManyAttempts, "the right password after the limit")
		requireOnly(t, outcomes, flows.ErrInvalidCredentials.Code, flows.ErrTooManyAttempts.Code)
		require.Equal(t, signin.PasswordAttemptsPerAccount, e.audits.compared(signin.MethodPassword), "passwords compared")
		require.Zero(t, e.sessions(t, ada.user.ID))

		// The limit is the account's, not the flow's: a new flow is refused too.
		_, err = e.password(e.identified(t, ada.email), bobPassword)
		require.ErrorIs(t, err, flows.ErrTooManyAttempts)
	})
}

func TestLimits_ConcurrentPasswordsFromOneIPCompareAtMostTheIPLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		// Spend all but five of the client's attempts, then spray one
		// password at a hundred accounts, each in its own flow.
		const left = 5
		key := "ip:" + e.req.IP + ":password"
		for range signin.PasswordAttemptsPerIP - left {
			_, err := d.ForTenant(e.Tenant.ID).Hit(e.Ctx, key, signin.PasswordWindow, e.Clock.Now())
			require.NoError(t, err)
		}
		tokens := make([]string, parallelGuesses)
		for i := range tokens {
			tokens[i] = e.identified(t, fmt.Sprintf("user%d@example.com", i))
		}
		outcomes := guesses(parallelGuesses, func(i int) error { _, err := e.password(tokens[i], bobPassword); return err })
		requireOnly(t, outcomes, flows.ErrInvalidCredentials.Code, flows.ErrTooManyAttempts.Code)
		require.Equal(t, left, e.audits.compared(signin.MethodPassword), "passwords compared")
		require.Equal(t, left, outcomes[flows.ErrInvalidCredentials.Code])
	})
}

func TestLimits_ConcurrentWrongTOTPCodesCompareAtMostTheSecondFactorLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, secret, _ := e.mfaUser(t, "bob")
		token := e.intoMFA(t, bob, bobPassword)
		right := e.TOTPCode(t, secret)

		outcomes, err := afterCap(t, e, signin.FactorTOTP, signin.MFAAttemptsPerUser, 59,
			func() error {
				_, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": otherCode(right)})
				return err
			},
			func() error {
				_, err := e.run(token, signin.ActionMFATOTP, map[string]string{"code": right})
				return err
			})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts, "the right code after the limit")
		requireOnly(t, outcomes, flows.ErrInvalidCode.Code, flows.ErrTooManyAttempts.Code)
		require.Equal(t, signin.MFAAttemptsPerUser, e.audits.compared(signin.FactorTOTP), "codes compared")
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestLimits_ConcurrentWrongBackupCodesCompareAtMostTheSecondFactorLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _, backup := e.mfaUser(t, "bob")
		token := e.intoMFA(t, bob, bobPassword)

		outcomes, err := afterCap(t, e, signin.FactorBackupCode, signin.MFAAttemptsPerUser, 59,
			func() error {
				_, err := e.run(token, signin.ActionMFABackupCode, map[string]string{"code": "aaaa-bbbb-cccc"})
				return err
			},
			func() error {
				_, err := e.run(token, signin.ActionMFABackupCode, map[string]string{"code": backup[0]})
				return err
			})
		require.ErrorIs(t, err, flows.ErrTooManyAttempts, "a right backup code after the limit")
		requireOnly(t, outcomes, flows.ErrInvalidCode.Code, flows.ErrTooManyAttempts.Code)
		require.Equal(t, signin.MFAAttemptsPerUser, e.audits.compared(signin.FactorBackupCode), "codes compared")
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestLimits_ConcurrentWrongSMSSecondFactorCodesCompareAtMostTheCap(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		bob, _ := e.smsUser(t, "bob")
		token := e.intoMFA(t, bob, bobPassword)
		code, _ := e.sentMFACode(t, token, bobPhone)

		outcomes, err := afterCap(t, e, signin.FactorSMS, signin.CodeMaxAttempts, parallelGuesses,
			func() error { _, err := e.verifyMFACode(token, otherCode(code)); return err },
			func() error { _, err := e.verifyMFACode(token, code); return err })
		// Refused by the code's cap or, once the guesses spent it too, by
		// the user's second-factor limit.
		require.Contains(t, []string{flows.ErrCodeLocked.Code, flows.ErrTooManyAttempts.Code}, flows.Public(err).Code, "the right code after the cap")
		requireOnly(t, outcomes, flows.ErrInvalidCode.Code, flows.ErrCodeLocked.Code, flows.ErrTooManyAttempts.Code)
		require.Equal(t, signin.CodeMaxAttempts, e.audits.compared(signin.FactorSMS), "codes compared")
		require.Zero(t, e.sessions(t, bob.user.ID))
	})
}

func TestLimits_RequestsOnAFlowThatAnotherRequestEndedAnswerFlowNotFound(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		ada := e.member(t, "ada", false)
		e.setPassword(t, ada, bobPassword)
		token := e.identified(t, ada.email)

		outcomes := guesses(8, func(int) error { _, err := e.password(token, bobPassword); return err })
		require.Equal(t, 1, outcomes["ok"], "one request signs in: %v", outcomes)
		requireOnly(t, outcomes, "ok", flows.ErrFlowNotFound.Code)
		require.Equal(t, 1, e.audits.compared(signin.MethodPassword), "the others found no flow to compare against")
		require.Equal(t, 1, e.sessions(t, ada.user.ID))
	})
}
