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

func TestAuditStore_PagesNewestFirstFiltersAndKeepsToItsTenant(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, b := d.ForTenant(testdb.Tenant(t, d, "acme").ID), d.ForTenant(testdb.Tenant(t, d, "bravo").ID)
		now := time.Now().UTC().Truncate(time.Second)
		user := uuid.Must(uuid.NewV7())
		for i := range 7 {
			e := &db.AuditEvent{Type: "sign_in.failed", Actor: "anonymous", Result: "invalid_credentials", OccurredAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(time.Hour)}
			if i%2 == 0 {
				e.Type, e.UserID = "sign_in.succeeded", &user
			}
			require.NoError(t, a.Audit().Record(ctx, e))
		}
		var seen []*db.AuditEvent
		var after *uuid.UUID
		for {
			page, more, err := a.Audit().List(ctx, db.AuditPage{Limit: 3, After: after})
			require.NoError(t, err)
			seen = append(seen, page...)
			if !more {
				break
			}
			after = &page[len(page)-1].ID
		}
		require.Len(t, seen, 7)
		for i := 1; i < len(seen); i++ {
			require.True(t, seen[i].OccurredAt.Before(seen[i-1].OccurredAt), "newest first")
		}
		got, _, err := a.Audit().List(ctx, db.AuditPage{Limit: 100, Types: []string{"sign_in.succeeded"}, UserID: &user})
		require.NoError(t, err)
		require.Len(t, got, 4)
		since, until := now.Add(2*time.Minute), now.Add(4*time.Minute)
		got, _, err = a.Audit().List(ctx, db.AuditPage{Limit: 100, Since: &since, Until: &until})
		require.NoError(t, err)
		require.Len(t, got, 2, "since inclusive, until exclusive")
		got, _, err = b.Audit().List(ctx, db.AuditPage{Limit: 100})
		require.NoError(t, err)
		require.Empty(t, got, "another tenant sees none")
	})
}
