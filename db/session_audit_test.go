package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// CreateWithAudit stores the session and the event as Create and
// AuditStore.Record do, in one statement on PostgreSQL and two on SQLite,
// and stores neither when the session cannot be (a token already in use).
func TestSessionStore_CreateWithAuditStoresBothOrNeither(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		u := createUser(t, s, "ada@acme.test")
		now := time.Now().UTC().Truncate(time.Microsecond)
		sess := &db.Session{UserID: u.ID, TokenHash: randomBytes(t, 32), AMR: "webauthn", UserAgent: "ua", IP: "192.0.2.1",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		ev := &db.AuditEvent{Type: "sign_in.succeeded", UserID: &u.ID, Actor: "user:" + u.ID.String(), Method: "passkey",
			AMR: "webauthn", IP: "192.0.2.1", UserAgent: "ua", Result: "success", OccurredAt: now, ExpiresAt: now.Add(time.Hour)}

		cctx, count := db.CountStatements(ctx)
		require.NoError(t, s.Sessions().CreateWithAudit(cctx, sess, ev))
		want := 1
		if d.Dialect() == db.SQLite {
			want = 2
		}
		require.Equal(t, want, count.N())

		back, err := s.Sessions().ByToken(ctx, sess.TokenHash, now)
		require.NoError(t, err)
		require.Equal(t, sess.ID, back.ID)
		require.Equal(t, u.ID, back.User.ID)
		requireSameInstant(t, now.Add(time.Hour), back.ExpiresAt)
		log, _, err := s.Audit().List(ctx, db.AuditPage{Limit: 10})
		require.NoError(t, err)
		require.Len(t, log, 1)
		got := log[0]
		require.Equal(t, ev.ID, got.ID)
		require.Equal(t, s.TenantID(), got.TenantID)
		require.Equal(t, u.ID, *got.UserID)
		require.Equal(t, "sign_in.succeeded", got.Type)
		require.Equal(t, "passkey", got.Method)
		require.Equal(t, "webauthn", got.AMR)
		require.Equal(t, "success", got.Result)
		require.JSONEq(t, "{}", got.Details)
		requireSameInstant(t, now, got.OccurredAt)

		again := &db.Session{UserID: u.ID, TokenHash: sess.TokenHash, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		other := &db.AuditEvent{Type: "sign_in.succeeded", Actor: "anonymous", Result: "success", OccurredAt: now, ExpiresAt: now.Add(time.Hour)}
		require.ErrorIs(t, s.Sessions().CreateWithAudit(ctx, again, other), db.ErrDuplicate)
		log, _, err = s.Audit().List(ctx, db.AuditPage{Limit: 10})
		require.NoError(t, err)
		require.Len(t, log, 1, "no event without its session")
	})
}
