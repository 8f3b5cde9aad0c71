package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestTenantStore_CreateAndLoad(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		require.NotEqual(t, uuid.Nil, a.ID)
		require.EqualValues(t, 1, a.SettingsVersion)

		byID, err := d.Tenants().ByID(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a.Slug, byID.Slug)
		require.Equal(t, `{"schema":1}`, compactJSON(t, byID.Settings))
		require.WithinDuration(t, a.CreatedAt, byID.CreatedAt, time.Millisecond)

		bySlug, err := d.Tenants().BySlug(ctx, a.Slug)
		require.NoError(t, err)
		require.Equal(t, a.ID, bySlug.ID)

		_, err = d.Tenants().BySlug(ctx, "nope")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = d.Tenants().ByID(ctx, uuid.New())
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestTenantStore_DuplicateSlugRefusedAndNothingWritten(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		err := d.Tenants().Create(ctx, &db.Tenant{Slug: a.Slug, Name: "Other", Settings: "{}"})
		require.ErrorIs(t, err, db.ErrDuplicate)

		all, err := d.Tenants().List(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, "acme", all[0].Name)
	})
}

func TestScope_UpdateSettingsChecksVersion(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(a.ID)

		v, err := s.UpdateSettings(ctx, 1, `{"schema":1,"default_locale":"es"}`)
		require.NoError(t, err)
		require.EqualValues(t, 2, v)

		// A second admin still holding version 1 must not overwrite.
		_, err = s.UpdateSettings(ctx, 1, `{"schema":1,"default_locale":"zh-CN"}`)
		require.ErrorIs(t, err, db.ErrConflict)

		got, err := s.Tenant(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, got.SettingsVersion)
		require.Contains(t, got.Settings, `"es"`)

		_, err = d.ForTenant(uuid.New()).UpdateSettings(ctx, 1, "{}")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

// TestScope_TenantBCannotReadOrChangeTenantA is the tenancy contract: every
// operation of tenant B's scope on tenant A's rows fails or sees nothing,
// and A's rows are unchanged afterwards.
func TestScope_TenantBCannotReadOrChangeTenantA(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "alpha")
		b := testdb.Tenant(t, d, "bravo")
		sa, sb := d.ForTenant(a.ID), d.ForTenant(b.ID)

		_, err := sa.Domains().Add(ctx, "login.alpha.test")
		require.NoError(t, err)
		flowA := testdb.Flow(t, sa, time.Now().Add(time.Hour))

		// Domains.
		listB, err := sb.Domains().List(ctx)
		require.NoError(t, err)
		require.Empty(t, listB)
		require.ErrorIs(t, sb.Domains().MarkVerified(ctx, "login.alpha.test", time.Now()), db.ErrNotFound)
		require.ErrorIs(t, sb.Domains().Remove(ctx, "login.alpha.test"), db.ErrNotFound)

		// Flows.
		_, err = sb.Flows().Get(ctx, flowA.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		stolen := *flowA
		stolen.State = "done"
		require.ErrorIs(t, sb.Flows().Update(ctx, &stolen, time.Now()), db.ErrNotFound)
		require.ErrorIs(t, sb.Flows().Delete(ctx, flowA.ID), db.ErrNotFound)

		// Settings: B's scope changes only B.
		_, err = sb.UpdateSettings(ctx, 1, `{"schema":1,"default_locale":"es"}`)
		require.NoError(t, err)
		require.NoError(t, sb.Rename(ctx, "Bravo renamed"))

		// A is untouched.
		listA, err := sa.Domains().List(ctx)
		require.NoError(t, err)
		require.Len(t, listA, 1)
		require.Nil(t, listA[0].VerifiedAt)
		gotFlow, err := sa.Flows().Get(ctx, flowA.ID)
		require.NoError(t, err)
		require.Equal(t, "start", gotFlow.State)
		require.EqualValues(t, 1, gotFlow.Version)
		gotA, err := sa.Tenant(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, gotA.SettingsVersion)
		require.Equal(t, "alpha", gotA.Name)
	})
}

func TestScope_WithoutTenantRefusesEverything(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := d.ForTenant(uuid.Nil)
		_, err := s.Domains().Add(ctx, "x.test")
		require.ErrorIs(t, err, db.ErrNoTenant)
		_, err = s.Domains().List(ctx)
		require.ErrorIs(t, err, db.ErrNoTenant)
		require.ErrorIs(t, s.Flows().Create(ctx, &db.Flow{Kind: "k", State: "s", ExpiresAt: time.Now()}), db.ErrNoTenant)
		_, err = s.Flows().Get(ctx, uuid.New())
		require.ErrorIs(t, err, db.ErrNoTenant)
		_, err = s.UpdateSettings(ctx, 1, "{}")
		require.ErrorIs(t, err, db.ErrNoTenant)
	})
}
