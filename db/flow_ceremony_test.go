package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

const testCeremony = `{"challenge":"q2x9Xb3v","user_id":"AQID","rpId":"acme.test","userVerification":"required","expires":"2026-11-23T12:05:00Z"}`

// createCeremonyFlow creates a passkey sign-in flow in scope s with a random
// 32-byte token hash, holding testCeremony until ceremonyExpires, the flow
// itself expiring at expires.
func createCeremonyFlow(t testing.TB, s db.Scope, expires, ceremonyExpires time.Time) *db.Flow {
	t.Helper()
	ceremony := testCeremony
	f := &db.Flow{
		Kind:              "sign_in",
		State:             "passkey",
		Context:           `{"a":1}`,
		ExpiresAt:         expires,
		TokenHash:         randomBytes(t, 32),
		Ceremony:          &ceremony,
		CeremonyExpiresAt: &ceremonyExpires,
	}
	require.NoError(t, s.Flows().Create(context.Background(), f))
	return f
}

func TestFlowStore_CreateWithTokenAndCeremonyThenByToken(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		now := time.Now().UTC().Truncate(time.Microsecond)
		f := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))
		plain := testdb.Flow(t, s, now.Add(time.Hour))

		got, err := s.Flows().ByToken(ctx, f.TokenHash)
		require.NoError(t, err)
		require.Equal(t, f.ID, got.ID)
		require.Equal(t, a.ID, got.TenantID)
		require.Equal(t, f.TokenHash, got.TokenHash)
		require.EqualValues(t, 1, got.Version)
		require.Equal(t, "passkey", got.State)
		require.NotNil(t, got.Ceremony)
		require.Equal(t, compactJSON(t, testCeremony), compactJSON(t, *got.Ceremony))
		require.NotNil(t, got.CeremonyExpiresAt)
		requireSameInstant(t, now.Add(5*time.Minute), *got.CeremonyExpiresAt)
		requireSameInstant(t, now.Add(time.Hour), got.ExpiresAt)

		// A flow made without token or ceremony keeps both empty.
		gotPlain, err := s.Flows().Get(ctx, plain.ID)
		require.NoError(t, err)
		require.Nil(t, gotPlain.TokenHash)
		require.Nil(t, gotPlain.Ceremony)
		require.Nil(t, gotPlain.CeremonyExpiresAt)

		_, err = s.Flows().ByToken(ctx, randomBytes(t, 32))
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestFlowStore_TakeWithCeremonyReturnsWholeRowAndDeletesIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		now := time.Now().UTC().Truncate(time.Microsecond)
		f := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))
		other := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))

		ctx, count := db.CountStatements(context.Background())
		got, err := s.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, 1, count.N(), "take is one statement")
		require.Equal(t, f.ID, got.ID)
		require.Equal(t, a.ID, got.TenantID)
		require.Equal(t, "sign_in", got.Kind)
		require.Equal(t, "passkey", got.State)
		require.EqualValues(t, 1, got.Version)
		require.Equal(t, `{"a":1}`, compactJSON(t, got.Context))
		require.Equal(t, f.TokenHash, got.TokenHash)
		require.NotNil(t, got.Ceremony)
		require.Equal(t, compactJSON(t, testCeremony), compactJSON(t, *got.Ceremony))
		require.NotNil(t, got.CeremonyExpiresAt)
		requireSameInstant(t, now.Add(5*time.Minute), *got.CeremonyExpiresAt)
		requireSameInstant(t, now.Add(time.Hour), got.ExpiresAt)
		require.WithinDuration(t, f.CreatedAt, got.CreatedAt, time.Millisecond)

		ctx = context.Background()
		_, err = s.Flows().ByToken(ctx, f.TokenHash)
		require.ErrorIs(t, err, db.ErrNotFound, "taking deletes the flow")
		_, err = s.Flows().Get(ctx, f.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound, "a ceremony is single-use")

		_, err = s.Flows().ByToken(ctx, other.TokenHash)
		require.NoError(t, err, "only the taken flow is deleted")
	})
}

func TestFlowStore_TakeWithCeremonyRefusesExpiredOrMissingCeremonyAndExpiredFlow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		hour := now.Add(time.Hour)

		ceremonyPast := createCeremonyFlow(t, s, hour, now.Add(-time.Second))
		ceremonyAtNow := createCeremonyFlow(t, s, hour, now)
		flowPast := createCeremonyFlow(t, s, now.Add(-time.Second), now.Add(time.Minute))
		flowAtNow := createCeremonyFlow(t, s, now, now.Add(time.Minute))
		noCeremony := &db.Flow{Kind: "sign_in", State: "start", ExpiresAt: hour, TokenHash: randomBytes(t, 32)}
		require.NoError(t, s.Flows().Create(ctx, noCeremony))
		// A ceremony cleared without its expiry is no ceremony either.
		clearedExpires := now.Add(time.Minute)
		cleared := &db.Flow{Kind: "sign_in", State: "start", ExpiresAt: hour, TokenHash: randomBytes(t, 32), CeremonyExpiresAt: &clearedExpires}
		require.NoError(t, s.Flows().Create(ctx, cleared))

		for name, f := range map[string]*db.Flow{
			"ceremony expired":         ceremonyPast,
			"ceremony expiring at now": ceremonyAtNow,
			"flow expired":             flowPast,
			"flow expiring at now":     flowAtNow,
			"no ceremony":              noCeremony,
			"ceremony cleared":         cleared,
		} {
			_, err := s.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
			require.ErrorIs(t, err, db.ErrNotFound, name)
			_, err = s.Flows().ByToken(ctx, f.TokenHash)
			require.NoError(t, err, "%s: a refused take deletes nothing", name)
		}

		// One microsecond earlier the boundary flows are still good.
		justBefore := now.Add(-time.Microsecond)
		got, err := s.Flows().TakeWithCeremony(ctx, ceremonyAtNow.TokenHash, justBefore)
		require.NoError(t, err)
		require.Equal(t, ceremonyAtNow.ID, got.ID)
		got, err = s.Flows().TakeWithCeremony(ctx, flowAtNow.TokenHash, justBefore)
		require.NoError(t, err)
		require.Equal(t, flowAtNow.ID, got.ID)
	})
}

func TestFlowStore_ConcurrentTakeWithCeremonyExactlyOneWins(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		now := time.Now().UTC()
		f := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))

		const n = 10
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, n)
			got   = make([]*db.Flow, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				got[i], errs[i] = s.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
			})
		}
		close(start)
		wg.Wait()

		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				require.Equal(t, f.ID, got[i].ID)
				require.NotNil(t, got[i].Ceremony)
			} else {
				require.ErrorIs(t, err, db.ErrNotFound)
			}
		}
		require.Equal(t, 1, wins)
		_, err := s.Flows().ByToken(ctx, f.TokenHash)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestFlowStore_UpdateClearsCeremonyUnderVersionCheck(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)
		now := time.Now().UTC().Truncate(time.Microsecond)
		f := createCeremonyFlow(t, s, now.Add(time.Hour), now.Add(5*time.Minute))

		// Two requests load version 1; the first clears the ceremony.
		first, err := s.Flows().ByToken(ctx, f.TokenHash)
		require.NoError(t, err)
		stale, err := s.Flows().ByToken(ctx, f.TokenHash)
		require.NoError(t, err)

		first.State = "mfa"
		first.Ceremony = nil
		first.CeremonyExpiresAt = nil
		require.NoError(t, s.Flows().Update(ctx, first, now))
		require.EqualValues(t, 2, first.Version)

		got, err := s.Flows().ByToken(ctx, f.TokenHash)
		require.NoError(t, err)
		require.Equal(t, "mfa", got.State)
		require.EqualValues(t, 2, got.Version)
		require.Nil(t, got.Ceremony)
		require.Nil(t, got.CeremonyExpiresAt)
		require.Equal(t, f.TokenHash, got.TokenHash, "the token stays")

		// The second request, still at version 1, cannot put the ceremony back.
		stale.State = "passkey-again"
		require.ErrorIs(t, s.Flows().Update(ctx, stale, now), db.ErrConflict)
		got, err = s.Flows().ByToken(ctx, f.TokenHash)
		require.NoError(t, err)
		require.Nil(t, got.Ceremony)
		require.Equal(t, "mfa", got.State)

		// With the ceremony cleared there is nothing to take.
		_, err = s.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
		require.ErrorIs(t, err, db.ErrNotFound)

		// A new ceremony can be set under the current version, and taken.
		next := `{"challenge":"second"}`
		nextExpires := now.Add(time.Minute)
		got.Ceremony = &next
		got.CeremonyExpiresAt = &nextExpires
		require.NoError(t, s.Flows().Update(ctx, got, now))
		taken, err := s.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, `{"challenge":"second"}`, compactJSON(t, *taken.Ceremony))
		requireSameInstant(t, nextExpires, *taken.CeremonyExpiresAt)
		require.EqualValues(t, 3, taken.Version)
	})
}
