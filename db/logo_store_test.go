package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestLogoStore_PutReplacesAndOtherTenantsSeeNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		b := testdb.Tenant(t, d, "other")
		logos := d.ForTenant(a.ID).Logos()

		_, err := logos.Get(ctx)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.NoError(t, logos.Put(ctx, &db.Logo{Picture: db.Picture{ContentType: "image/png", Data: []byte{1, 2, 3}, Version: "v1", Width: 10, Height: 5}}))
		require.NoError(t, logos.Put(ctx, &db.Logo{Picture: db.Picture{ContentType: "image/webp", Data: []byte{4, 5}, Version: "v2", Width: 20, Height: 8}}))

		l, err := logos.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, []byte{4, 5}, l.Data)
		require.Equal(t, "image/webp", l.ContentType)
		require.Equal(t, "v2", l.Version)
		meta, err := logos.Meta(ctx)
		require.NoError(t, err)
		require.Equal(t, "v2", meta.Version)
		require.Empty(t, meta.Data, "Meta leaves the picture out")

		_, err = d.ForTenant(b.ID).Logos().Get(ctx)
		require.ErrorIs(t, err, db.ErrNotFound, "another tenant's scope sees no logo")
		gone, err := d.ForTenant(b.ID).Logos().Delete(ctx)
		require.NoError(t, err)
		require.False(t, gone, "another tenant's scope cannot delete it")

		gone, err = logos.Delete(ctx)
		require.NoError(t, err)
		require.True(t, gone)
		_, err = logos.Get(ctx)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}
