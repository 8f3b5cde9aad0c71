package account_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/testdb"
)

// The code that proves a new email address guards a change of the
// account: under 100 concurrent checks on PostgreSQL, the right code adds
// the address once, and wrong codes get at most flows.CodeMaxAttempts
// checks before the code is locked, the right one included.
func TestAccount_HundredConcurrentChecksOfAnEmailCodeChangeTheAccountOnce(t *testing.T) {
	t.Parallel()
	const n = 100
	e := newManageEnv(t, testdb.New(t, testdb.Postgres), 7)

	b, err := e.svc.BeginAddIdentifier(e.ctx, e.caller, "bob@example.com")
	require.NoError(t, err)
	right := e.codeTo(t, "bob@example.com", 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), right); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, ok, "one check adds the address")
	ids, err := e.scope().Users().Identifiers(e.ctx, e.caller.Session.UserID)
	require.NoError(t, err)
	require.Len(t, ids, 2)

	b, err = e.svc.BeginAddIdentifier(e.ctx, e.caller, "carol@example.com")
	require.NoError(t, err)
	right = e.codeTo(t, "carol@example.com", 0)
	wrong := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), wrongCode(right))
			if errors.Is(err, flows.ErrInvalidCode) {
				mu.Lock()
				wrong++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, wrong, flows.CodeMaxAttempts, "at most the allowed checks were made")
	row, err := e.scope().Codes().Get(e.ctx, b.ID)
	require.NoError(t, err)
	require.Equal(t, flows.CodeMaxAttempts, row.Attempts)
	_, err = e.svc.ConfirmIdentifier(e.ctx, e.caller, b.ID.String(), right)
	require.ErrorIs(t, err, flows.ErrCodeLocked, "the right code after the limit")
	_, err = e.scope().Users().Identifier(e.ctx, db.IdentifierEmail, "carol@example.com")
	require.ErrorIs(t, err, db.ErrNotFound)
}
