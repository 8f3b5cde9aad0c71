package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// An avatar is its user's alone: replaced by the next one, unseen by
// another user or another tenant's scope, gone with its user.
func TestAvatarStore_OnePerUserReplacedAndGoneWithTheUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testdb.Tenant(t, d, "acme")
		b := testdb.Tenant(t, d, "other")
		s := d.ForTenant(a.ID)
		ann, bob := createUser(t, s, "ann@example.com"), createUser(t, s, "bob@example.com")
		avatars := s.Avatars()

		_, err := avatars.Get(ctx, ann.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		require.NoError(t, avatars.Put(ctx, ann.ID, &db.Avatar{Picture: db.Picture{ContentType: "image/png", Data: []byte{1, 2, 3}, Version: "v1", Width: 10, Height: 10}}))
		require.NoError(t, avatars.Put(ctx, ann.ID, &db.Avatar{Picture: db.Picture{ContentType: "image/gif", Data: []byte{4, 5}, Version: "v2", Width: 20, Height: 20}}))
		require.NoError(t, avatars.Put(ctx, bob.ID, &db.Avatar{Picture: db.Picture{ContentType: "image/jpeg", Data: []byte{6}, Version: "b1", Width: 1, Height: 1}}))

		got, err := avatars.Get(ctx, ann.ID)
		require.NoError(t, err)
		require.Equal(t, []byte{4, 5}, got.Data)
		require.Equal(t, "image/gif", got.ContentType)
		require.Equal(t, "v2", got.Version)
		require.Equal(t, ann.ID, got.UserID)
		meta, err := avatars.Meta(ctx, ann.ID)
		require.NoError(t, err)
		require.Equal(t, "v2", meta.Version)
		require.Empty(t, meta.Data, "Meta leaves the picture out")

		_, err = d.ForTenant(b.ID).Avatars().Get(ctx, ann.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "another tenant's scope sees no avatar")
		gone, err := d.ForTenant(b.ID).Avatars().Delete(ctx, ann.ID)
		require.NoError(t, err)
		require.False(t, gone, "another tenant's scope cannot delete it")

		gone, err = avatars.Delete(ctx, ann.ID)
		require.NoError(t, err)
		require.True(t, gone)
		_, err = avatars.Get(ctx, ann.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		got, err = avatars.Get(ctx, bob.ID)
		require.NoError(t, err, "the other user's avatar stays")
		require.Equal(t, "b1", got.Version)

		require.NoError(t, s.Users().Delete(ctx, bob.ID))
		_, err = avatars.Get(ctx, bob.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "the avatar goes with its user")
	})
}
