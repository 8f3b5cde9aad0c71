package grants_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/grants"
	"github.com/sesame-id/sesame/internal/testdb"
)

type fixture struct {
	d      *db.DB
	scope  db.Scope
	tenant uuid.UUID
	user   uuid.UUID
	third  *db.OIDCApp
	first  *db.OIDCApp
}

func setup(t *testing.T, d *db.DB, slug string) *fixture {
	t.Helper()
	ctx := context.Background()
	tn := testdb.Tenant(t, d, slug)
	scope := d.ForTenant(tn.ID)
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	u := &db.User{WebAuthnHandle: handle, DisplayName: "Ana"}
	require.NoError(t, scope.Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: "ana@" + slug + ".test"}))
	third, err := apps.Create(ctx, scope, apps.Spec{Name: "Third", Type: apps.TypeWeb, RedirectURIs: []string{"https://third.test/cb"}}, time.Now())
	require.NoError(t, err)
	first, err := apps.Create(ctx, scope, apps.Spec{Name: "Own", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{"https://own.test/cb"}}, time.Now())
	require.NoError(t, err)
	return &fixture{d: d, scope: scope, tenant: tn.ID, user: u.ID, third: third.App, first: first.App}
}

func TestNeeded_AsksUntilEveryScopeIsConsentedExceptFirstParty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "acme")
		needed := func(app *db.OIDCApp, prompted bool, scopes ...string) bool {
			t.Helper()
			n, err := grants.Needed(ctx, f.scope, grants.Request{App: app, UserID: f.user, Scopes: scopes, Prompted: prompted})
			require.NoError(t, err)
			return n
		}
		require.True(t, needed(f.third, false, "openid"), "no grant yet")
		require.False(t, needed(f.first, false, "openid", "email"), "first-party")
		require.False(t, needed(f.first, true, "openid"), "first-party, even with prompt=consent")

		require.NoError(t, grants.Allow(ctx, f.scope, grants.Request{App: f.third, UserID: f.user, Scopes: []string{"openid", "email"}}, now))
		require.False(t, needed(f.third, false, "openid", "email"))
		require.False(t, needed(f.third, false, "openid"), "fewer scopes")
		require.True(t, needed(f.third, false, "openid", "phone"), "a scope not consented")
		require.True(t, needed(f.third, true, "openid"), "prompt=consent")

		// Consenting to more adds to what was consented.
		require.NoError(t, grants.Allow(ctx, f.scope, grants.Request{App: f.third, UserID: f.user, Scopes: []string{"openid", "phone"}}, now.Add(time.Hour)))
		require.False(t, needed(f.third, false, "openid", "email", "phone"))
		list, err := grants.List(ctx, f.scope, f.user)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.ElementsMatch(t, []string{"openid", "email", "phone"}, list[0].Scopes)
		require.True(t, list[0].CreatedAt.Equal(now))
		require.True(t, list[0].UpdatedAt.Equal(now.Add(time.Hour)))
	})
}

func TestRevoke_RemovesTheGrantAndTheUsersTokensOfThatAppOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "acme")
		other := setup(t, d, "bravo")
		require.NoError(t, grants.Allow(ctx, f.scope, grants.Request{App: f.third, UserID: f.user, Scopes: []string{"openid"}}, now))
		token := func(clientID string) *db.OIDCToken {
			tok := &db.OIDCToken{ClientID: clientID, UserID: &f.user, Subject: f.user.String(), Scopes: db.StringList{"openid"}, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, f.scope.OIDCTokens().Create(ctx, tok))
			return tok
		}
		thirdToken, firstToken := token(f.third.ClientID), token(f.first.ClientID)
		require.NoError(t, f.scope.OIDCRefreshTokens().Create(ctx, &db.OIDCRefreshToken{FamilyID: uuid.New(), TokenHash: []byte("rt"),
			ClientID: f.third.ClientID, UserID: f.user, Scopes: db.StringList{"openid"}, ExpiresAt: now.Add(time.Hour)}))

		// Another tenant cannot revoke it.
		require.ErrorIs(t, grants.Revoke(ctx, d, other.tenant, f.user, f.third.ID), db.ErrNotFound)
		_, err := f.scope.OIDCGrants().Get(ctx, f.user, f.third.ID)
		require.NoError(t, err)

		require.NoError(t, grants.Revoke(ctx, d, f.tenant, f.user, f.third.ID))
		_, err = f.scope.OIDCGrants().Get(ctx, f.user, f.third.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = f.scope.OIDCTokens().Get(ctx, thirdToken.ID, now)
		require.ErrorIs(t, err, db.ErrNotFound, "the app's access token")
		_, err = f.scope.OIDCRefreshTokens().ByHash(ctx, f.third.ClientID, []byte("rt"))
		require.ErrorIs(t, err, db.ErrNotFound, "the app's refresh token")
		_, err = f.scope.OIDCTokens().Get(ctx, firstToken.ID, now)
		require.NoError(t, err, "another app's token stays")

		require.ErrorIs(t, grants.Revoke(ctx, d, f.tenant, f.user, f.third.ID), db.ErrNotFound, "nothing left")
	})
}
