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

func TestOIDCGrantStore_SaveReplacesScopesAndDeleteRemoves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		u := createUser(t, s, "ada@acme.test")
		a := &db.OIDCApp{ClientID: "c", Name: "Third", Type: "web", RedirectURIs: db.StringList{"https://app.test/cb"},
			Scopes: db.StringList{"openid"}, AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, IDTokenAlg: "RS256"}
		require.NoError(t, s.OIDCApps().Create(ctx, a))
		require.NoError(t, s.OIDCGrants().Save(ctx, u.ID, a.ID, []string{"openid"}, now))
		require.NoError(t, s.OIDCGrants().Save(ctx, u.ID, a.ID, []string{"openid", "email"}, now.Add(time.Hour)))
		got, err := s.OIDCGrants().Get(ctx, u.ID, a.ID)
		require.NoError(t, err)
		require.Equal(t, db.StringList{"openid", "email"}, got.Scopes)
		require.True(t, got.CreatedAt.Equal(now), "the first consent's time stays")
		require.True(t, got.UpdatedAt.Equal(now.Add(time.Hour)))

		require.NoError(t, s.OIDCGrants().Delete(ctx, u.ID, a.ID))
		require.ErrorIs(t, s.OIDCGrants().Delete(ctx, u.ID, a.ID), db.ErrNotFound)
		_, err = s.OIDCGrants().Get(ctx, u.ID, a.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestOIDCTokenStores_RevokeUserClientLeavesOthers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		ada := createUser(t, s, "ada@acme.test")
		bob := createUser(t, s, "bob@acme.test")
		tokens := map[string]*db.OIDCToken{}
		for _, k := range []struct {
			name, client string
			user         uuid.UUID
		}{{"ada-c", "c", ada.ID}, {"ada-d", "d", ada.ID}, {"bob-c", "c", bob.ID}} {
			uid := k.user
			tok := &db.OIDCToken{ClientID: k.client, UserID: &uid, Subject: uid.String(), Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, s.OIDCTokens().Create(ctx, tok))
			tokens[k.name] = tok
			rt := &db.OIDCRefreshToken{FamilyID: uuid.New(), TokenHash: []byte(k.name), ClientID: k.client, UserID: uid,
				Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, s.OIDCRefreshTokens().Create(ctx, rt))
		}
		require.NoError(t, s.OIDCTokens().RevokeUserClient(ctx, ada.ID, "c"))
		require.NoError(t, s.OIDCRefreshTokens().RevokeUserClient(ctx, ada.ID, "c"))
		_, err := s.OIDCTokens().Get(ctx, tokens["ada-c"].ID, now)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.OIDCRefreshTokens().ByHash(ctx, "c", []byte("ada-c"))
		require.ErrorIs(t, err, db.ErrNotFound)
		for _, kept := range []struct{ name, client string }{{"ada-d", "d"}, {"bob-c", "c"}} {
			_, err := s.OIDCTokens().Get(ctx, tokens[kept.name].ID, now)
			require.NoError(t, err, kept.name)
			_, err = s.OIDCRefreshTokens().ByHash(ctx, kept.client, []byte(kept.name))
			require.NoError(t, err, kept.name)
		}
	})
}
