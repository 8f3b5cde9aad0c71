package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func factorUser(t *testing.T, d *db.DB, tenant uuid.UUID) *db.User {
	t.Helper()
	u := &db.User{WebAuthnHandle: randomBytes(t, 32), DisplayName: "ada"}
	require.NoError(t, d.ForTenant(tenant).Users().Create(context.Background(), u))
	return u
}

func TestUserStore_PasswordAndMFASwitch(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tn := testdb.Tenant(t, d, "acme")
		u := factorUser(t, d, tn.ID)
		require.Empty(t, u.PasswordHash)
		require.False(t, u.MFAEnabled)

		users := d.ForTenant(tn.ID).Users()
		require.NoError(t, users.SetPassword(ctx, u.ID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"))
		require.NoError(t, users.SetMFA(ctx, u.ID, true))
		got, err := users.ByID(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", got.PasswordHash)
		require.True(t, got.MFAEnabled)
	})
}

func TestTOTPStore_EachStepWorksOnceEvenConcurrently(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		tn := testdb.Tenant(t, d, "acme")
		u := factorUser(t, d, tn.ID)
		totp := d.ForTenant(tn.ID).TOTP()

		require.NoError(t, totp.Start(ctx, u.ID, "JBSWY3DPEHPK3PXP", now))
		f, err := totp.Get(ctx, u.ID)
		require.NoError(t, err)
		require.Nil(t, f.ConfirmedAt)
		// Restarting an unconfirmed enrolment replaces the secret.
		require.NoError(t, totp.Start(ctx, u.ID, "KRSXG5CTMVRXEZLU", now))

		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins int
		)
		for range 10 {
			wg.Go(func() {
				err := totp.Accept(ctx, u.ID, 100, now)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins++
				} else {
					require.ErrorIs(t, err, db.ErrReplayed)
				}
			})
		}
		wg.Wait()
		require.Equal(t, 1, wins, "one time step is accepted once")
		require.ErrorIs(t, totp.Accept(ctx, u.ID, 99, now), db.ErrReplayed, "an earlier step after a later one")
		require.NoError(t, totp.Accept(ctx, u.ID, 101, now))

		f, err = totp.Get(ctx, u.ID)
		require.NoError(t, err)
		require.NotNil(t, f.ConfirmedAt)
		require.EqualValues(t, 101, f.LastStep)
		require.Equal(t, "KRSXG5CTMVRXEZLU", f.Secret)

		require.ErrorIs(t, totp.Start(ctx, u.ID, "X", now), db.ErrDuplicate, "a confirmed factor is not replaced")
		other := testdb.Tenant(t, d, "bravo")
		_, err = d.ForTenant(other.ID).TOTP().Get(ctx, u.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.ErrorIs(t, d.ForTenant(other.ID).TOTP().Remove(ctx, u.ID), db.ErrNotFound)
		require.NoError(t, totp.Remove(ctx, u.ID))
		require.ErrorIs(t, totp.Accept(ctx, u.ID, 200, now), db.ErrNotFound)
	})
}

func TestBackupCodeStore_EachCodeWorksOnceAndRegeneratingReplaces(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		tn := testdb.Tenant(t, d, "acme")
		u := factorUser(t, d, tn.ID)
		codes := d.ForTenant(tn.ID).BackupCodes()

		first := [][]byte{randomBytes(t, 48), randomBytes(t, 48), randomBytes(t, 48)}
		require.NoError(t, codes.Replace(ctx, u.ID, first, now))
		unused, err := codes.Unused(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, unused, 3)

		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins int
		)
		for range 8 {
			wg.Go(func() {
				err := codes.Use(ctx, u.ID, unused[0].ID, now)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins++
				}
			})
		}
		wg.Wait()
		require.Equal(t, 1, wins)
		unused, err = codes.Unused(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, unused, 2)

		other := testdb.Tenant(t, d, "bravo")
		require.ErrorIs(t, d.ForTenant(other.ID).BackupCodes().Use(ctx, u.ID, unused[0].ID, now), db.ErrNotFound)

		second := [][]byte{randomBytes(t, 48)}
		require.NoError(t, codes.Replace(ctx, u.ID, second, now))
		unused, err = codes.Unused(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, unused, 1)
		require.Equal(t, second[0], unused[0].CodeHash)
	})
}
