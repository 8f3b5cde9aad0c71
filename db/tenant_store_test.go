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
