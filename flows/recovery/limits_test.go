package recovery_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/testdb"
)

// The limits under concurrency: on PostgreSQL the requests really race
// (SQLite's one connection runs them one at a time). Comparisons are
// counted from the flow's log, which records each code compared even when
// its request is later rolled back.

const parallel = 100

// race runs f(i) for i in [0, n) at once and counts the outcomes by public
// error code ("ok" for none).
func race(n int, f func(i int) error) map[string]int {
	var (
		mu  sync.Mutex
		out = map[string]int{}
		wg  sync.WaitGroup
		go_ = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-go_
			code := "ok"
			if err := f(i); err != nil {
				code = flows.Public(err).Code
			}
			mu.Lock()
			out[code]++
			mu.Unlock()
		})
	}
	close(go_)
	wg.Wait()
	return out
}

func TestRecoveryLimits_ConcurrentWrongCodesCompareAtMostTheCapAndTheRightOneIsThenRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		token, _ := e.identify(t, m.email)
		right := e.sendCode(t, token, m.email)
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}
		done := make(chan map[string]int)
		go func() {
			done <- race(parallel, func(int) error {
				_, err := e.run(token, recovery.ActionCodeVerify, input(t, map[string]string{"code": wrong}))
				return err
			})
		}()
		require.Eventually(t, func() bool {
			return e.log.count(recovery.ActionCodeVerify, flows.ErrInvalidCode.Code) >= flows.CodeMaxAttempts
		},
			30*time.Second, time.Millisecond, "the wrong codes never reached the cap")
		_, err := e.run(token, recovery.ActionCodeVerify, input(t, map[string]string{"code": right}))
		outcomes := <-done
		require.Error(t, err, "the right code past the cap is refused")
		require.Equal(t, flows.ErrCodeLocked.Code, flows.Public(err).Code)
		require.Equal(t, flows.CodeMaxAttempts, e.log.count(recovery.ActionCodeVerify, flows.ErrInvalidCode.Code), "codes compared")
		require.Equal(t, flows.CodeMaxAttempts, outcomes[flows.ErrInvalidCode.Code], "outcomes %v", outcomes)
		for code := range outcomes {
			require.Contains(t, []string{flows.ErrInvalidCode.Code, flows.ErrCodeLocked.Code, flows.ErrFlowChanged.Code}, code, "outcomes %v", outcomes)
		}
		require.Zero(t, e.log.count("proof", "proved"))
	})
}

func TestRecoveryLimits_CodeSendsStopAtTheRecipientLimitForKnownAndUnknownAlike(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		for _, address := range []string{m.email, "nobody@example.com"} {
			var codes []string
			for range flows.CodeSendsPerRecipient + 1 {
				token, _ := e.identify(t, address)
				_, err := e.run(token, recovery.ActionCodeSend, nil)
				code := "ok"
				if err != nil {
					code = flows.Public(err).Code
				}
				codes = append(codes, code)
			}
			want := slices.Repeat([]string{"ok"}, flows.CodeSendsPerRecipient)
			require.Equal(t, append(want, flows.ErrCodeRateLimited.Code), codes, address)
		}
	})
}

func TestRecoveryLimits_ALinkWorksOnceUnder100ParallelRedemptions(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		token, expires, err := recovery.CreateLink(e.Ctx, e.Scope(), m.user.ID, nil, e.Clock.Now())
		require.NoError(t, err)
		require.Equal(t, e.Clock.Now().Add(recovery.LinkTTL).UTC(), expires)

		outcomes := race(parallel, func(int) error {
			_, err := e.engine.Begin(e.Ctx, e.Tenant, recovery.Context{}, recovery.ActionLink, input(t, map[string]string{"token": token}), e.req)
			return err
		})
		require.Equal(t, map[string]int{"ok": 1, recovery.ErrLinkInvalid.Code: parallel - 1}, outcomes)
		require.Equal(t, 1, e.log.count(recovery.ActionLink, "link_used"))
	})
}

func TestRecoveryLimits_AnExpiredLinkOpensNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.member(t, "ann")
		token, _, err := recovery.CreateLink(e.Ctx, e.Scope(), m.user.ID, nil, e.Clock.Now())
		require.NoError(t, err)
		e.Clock.Advance(recovery.LinkTTL + time.Second)
		_, err = e.engine.Begin(e.Ctx, e.Tenant, recovery.Context{}, recovery.ActionLink, input(t, map[string]string{"token": token}), e.req)
		require.Error(t, err)
		require.Equal(t, recovery.ErrLinkInvalid.Code, flows.Public(err).Code)
	})
}

func TestRecovery_CaptchaGuardsCodesNeverPasskeys(t *testing.T) {
	t.Parallel()
	m := recovery.Machine(nil)
	require.Equal(t, []string{recovery.ActionCodeSend, recovery.ActionCodeVerify, recovery.ActionBackupCode}, m.CaptchaActions())
}
