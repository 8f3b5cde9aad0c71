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

// Answer reads and answers a request in one statement only when every
// condition Get and Complete checked holds, and the browser's binding
// matches; Unanswer makes it answerable again with its own expiry; the
// code's use returns the request with the same values, and on PostgreSQL
// its user.
func TestOIDCAuthRequestStore_AnswerKeepsEveryCheckInOneStatement(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Microsecond)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, count := db.CountStatements(context.Background())
		tn := testdb.Tenant(t, d, "acme")
		s := d.ForTenant(tn.ID)
		u := createUser(t, s, "ada@acme.test")
		r := &db.OIDCAuthRequest{ClientID: "c", Request: `{"scopes":["openid"]}`, BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(30 * time.Minute)}
		require.NoError(t, s.OIDCAuthRequests().Create(ctx, r))
		c := db.Completion{UserID: u.ID, SessionID: uuid.New(), AMR: "swk user", AuthTime: now, CodeHash: []byte("h"), CodeExpiresAt: now.Add(time.Minute)}

		_, err := s.OIDCAuthRequests().Answer(ctx, r.ID, []byte("other"), c, now)
		require.ErrorIs(t, err, db.ErrNotFound, "another browser's binding")
		_, err = s.OIDCAuthRequests().Answer(ctx, r.ID, []byte("b"), c, now.Add(31*time.Minute))
		require.ErrorIs(t, err, db.ErrNotFound, "an expired request")
		other := d.ForTenant(testdb.Tenant(t, d, "globex").ID)
		_, err = other.OIDCAuthRequests().Answer(ctx, r.ID, []byte("b"), c, now)
		require.ErrorIs(t, err, db.ErrNotFound, "another tenant's request")

		before := count.N()
		got, err := s.OIDCAuthRequests().Answer(ctx, r.ID, []byte("b"), c, now)
		require.NoError(t, err)
		require.Equal(t, before+1, count.N(), "one statement")
		require.Equal(t, r.ID, got.ID)
		require.Equal(t, `{"scopes":["openid"]}`, got.Request)
		require.Equal(t, u.ID, *got.UserID)
		require.Equal(t, c.SessionID, *got.SessionID)
		require.Equal(t, "swk user", got.AMR)
		require.Equal(t, []byte("h"), got.CodeHash)
		requireSameInstant(t, now, got.CreatedAt)
		requireSameInstant(t, now.Add(time.Minute), got.ExpiresAt)
		c2 := c
		c2.CodeHash = []byte("h2")
		_, err = s.OIDCAuthRequests().Answer(ctx, r.ID, []byte("b"), c2, now)
		require.ErrorIs(t, err, db.ErrNotFound, "answered once")

		require.NoError(t, s.OIDCAuthRequests().Unanswer(ctx, got, r.ExpiresAt))
		back, err := s.OIDCAuthRequests().Get(ctx, r.ID, now)
		require.NoError(t, err)
		require.Nil(t, back.UserID)
		require.Nil(t, back.SessionID)
		require.Nil(t, back.AuthTime)
		require.Nil(t, back.CodeHash)
		require.Equal(t, "", back.AMR)
		requireSameInstant(t, r.ExpiresAt, back.ExpiresAt)

		got, err = s.OIDCAuthRequests().Answer(ctx, r.ID, []byte("b"), c2, now)
		require.NoError(t, err, "answerable again")
		used, err := s.OIDCAuthRequests().UseCode(ctx, []byte("h2"), now, now.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, got.ID, used.ID)
		require.Equal(t, u.ID, *used.UserID)
		require.NotNil(t, used.CodeUsedAt)
		if d.Dialect() == db.Postgres {
			require.NotNil(t, used.User, "the code's statement reads the user")
			require.Equal(t, u.ID, used.User.ID)
			require.Equal(t, u.WebAuthnHandle, used.User.WebAuthnHandle)
			require.Equal(t, u.DisplayName, used.User.DisplayName)
		}
		require.ErrorIs(t, s.OIDCAuthRequests().Unanswer(ctx, got, r.ExpiresAt), db.ErrNotFound, "a used code stays")
		_, err = s.OIDCAuthRequests().Answer(ctx, r.ID, []byte("b"), c, now)
		require.ErrorIs(t, err, db.ErrNotFound, "a used request")
	})
}
