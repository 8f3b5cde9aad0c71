package db_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// logoutSeed is one tenant's session with an application that took part
// in it, tokens issued in it, and an unused code answered from it.
type logoutSeed struct {
	session *db.Session
	app     *db.OIDCApp
	access  *db.OIDCToken
	refresh *db.OIDCRefreshToken
	request *db.OIDCAuthRequest
}

func seedLogout(t *testing.T, s db.Scope, now time.Time) logoutSeed {
	t.Helper()
	ctx := t.Context()
	u := createUser(t, s, "ada@"+uuid.NewString()[:8]+".test")
	out := logoutSeed{session: &db.Session{UserID: u.ID, TokenHash: []byte(uuid.NewString()), ExpiresAt: now.Add(time.Hour)}}
	require.NoError(t, s.Sessions().Create(ctx, out.session))
	out.app = &db.OIDCApp{ClientID: "client-" + uuid.NewString(), Name: "Shop", Type: "web", IDTokenAlg: "RS256",
		AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, BackchannelLogoutURI: "https://shop.test/bc"}
	require.NoError(t, s.OIDCApps().Create(ctx, out.app))
	sid := out.session.ID
	require.NoError(t, s.OIDCSessionClients().Record(ctx, &db.OIDCSessionClient{SessionID: sid, ClientID: out.app.ClientID, UserID: u.ID,
		Issuer: "https://acme.test", ExpiresAt: now.Add(time.Hour)}))
	out.access = &db.OIDCToken{ClientID: out.app.ClientID, UserID: &u.ID, Subject: u.ID.String(), SessionID: &sid, Scopes: db.StringList{"openid"},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	require.NoError(t, s.OIDCTokens().Create(ctx, out.access))
	out.refresh = &db.OIDCRefreshToken{FamilyID: uuid.New(), TokenHash: []byte(uuid.NewString()), ClientID: out.app.ClientID, UserID: u.ID,
		SessionID: &sid, Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	require.NoError(t, s.OIDCRefreshTokens().Create(ctx, out.refresh))
	out.request = &db.OIDCAuthRequest{ClientID: out.app.ClientID, Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	require.NoError(t, s.OIDCAuthRequests().Create(ctx, out.request))
	require.NoError(t, s.OIDCAuthRequests().Complete(ctx, out.request.ID, db.Completion{UserID: u.ID, SessionID: sid, AuthTime: now,
		CodeHash: []byte(uuid.NewString()), CodeExpiresAt: now.Add(time.Minute)}, now))
	return out
}

// alive reports which of seed's rows are still there.
func alive(t *testing.T, s db.Scope, seed logoutSeed, now time.Time) (session, access, refresh, request bool) {
	t.Helper()
	ctx := t.Context()
	_, err := s.Sessions().Get(ctx, seed.session.UserID, seed.session.ID, now)
	session = err == nil
	_, err = s.OIDCTokens().Get(ctx, seed.access.ID, now)
	access = err == nil
	_, err = s.OIDCRefreshTokens().ByHash(ctx, seed.refresh.ClientID, seed.refresh.TokenHash)
	refresh = err == nil
	_, err = s.OIDCAuthRequests().Get(ctx, seed.request.ID, now)
	request = err == nil
	return session, access, refresh, request
}

func TestSessionEnd_StoresTakeAndRevokeOnlyTheirTenantsRows(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, now := t.Context(), time.Now()
		sa := d.ForTenant(testdb.Tenant(t, d, "alpha").ID)
		sb := d.ForTenant(testdb.Tenant(t, d, "bravo").ID)
		a := seedLogout(t, sa, now)

		// Tenant B, given A's ids, ends and revokes nothing of A's.
		_, err := sb.Sessions().Take(ctx, a.session.UserID, a.session.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = sb.Sessions().TakeByToken(ctx, a.session.TokenHash)
		require.ErrorIs(t, err, db.ErrNotFound)
		took, err := sb.OIDCSessionClients().TakeBySession(ctx, a.session.ID)
		require.NoError(t, err)
		require.Empty(t, took)
		require.NoError(t, sb.OIDCTokens().RevokeBySession(ctx, a.session.ID))
		require.NoError(t, sb.OIDCTokens().RevokeByClient(ctx, a.app.ClientID))
		require.NoError(t, sb.OIDCRefreshTokens().RevokeBySession(ctx, a.session.ID))
		require.NoError(t, sb.OIDCRefreshTokens().RevokeByClient(ctx, a.app.ClientID))
		require.NoError(t, sb.OIDCAuthRequests().DropUnusedBySession(ctx, a.session.ID))
		require.ErrorIs(t, sb.OIDCApps().DeleteWithTokens(ctx, a.app.ClientID), db.ErrNotFound)
		listening, err := sb.OIDCApps().WithBackchannelLogout(ctx, []string{a.app.ClientID})
		require.NoError(t, err)
		require.Empty(t, listening)
		session, access, refresh, request := alive(t, sa, a, now)
		require.True(t, session && access && refresh && request, "A's rows are untouched")

		// A's own scope takes them.
		s, err := sa.Sessions().Take(ctx, a.session.UserID, a.session.ID)
		require.NoError(t, err)
		require.Equal(t, a.session.ID, s.ID)
		took, err = sa.OIDCSessionClients().TakeBySession(ctx, a.session.ID)
		require.NoError(t, err)
		require.Len(t, took, 1)
		require.Equal(t, "https://acme.test", took[0].Issuer)
		require.NoError(t, sa.OIDCTokens().RevokeBySession(ctx, a.session.ID))
		require.NoError(t, sa.OIDCRefreshTokens().RevokeBySession(ctx, a.session.ID))
		require.NoError(t, sa.OIDCAuthRequests().DropUnusedBySession(ctx, a.session.ID))
		session, access, refresh, request = alive(t, sa, a, now)
		require.False(t, session || access || refresh || request)
	})
}

func TestOIDCApps_DeleteWithTokensRevokesOnlyThatApplicationsTokens(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, now := t.Context(), time.Now()
		s := d.ForTenant(testdb.Tenant(t, d, "alpha").ID)
		gone, kept := seedLogout(t, s, now), seedLogout(t, s, now)
		// A second record of the same session and application is ignored.
		require.NoError(t, s.OIDCSessionClients().Record(ctx, &db.OIDCSessionClient{SessionID: kept.session.ID, ClientID: kept.app.ClientID,
			UserID: kept.session.UserID, Issuer: "https://other.test", ExpiresAt: now.Add(time.Hour)}))

		require.NoError(t, s.OIDCApps().DeleteWithTokens(ctx, gone.app.ClientID))
		_, access, refresh, _ := alive(t, s, gone, now)
		require.False(t, access || refresh, "the deleted application's tokens are revoked")
		_, access, refresh, _ = alive(t, s, kept, now)
		require.True(t, access && refresh, "another application's tokens live")
		took, err := s.OIDCSessionClients().TakeBySession(ctx, gone.session.ID)
		require.NoError(t, err)
		require.Empty(t, took)
		took, err = s.OIDCSessionClients().TakeBySession(ctx, kept.session.ID)
		require.NoError(t, err)
		require.Len(t, took, 1)
		require.Equal(t, "https://acme.test", took[0].Issuer, "the first record stays")
	})
}
