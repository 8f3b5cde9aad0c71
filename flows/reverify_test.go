package flows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

func TestRequireRecentVerification_TenMinutesThenRefused(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &db.Session{VerifiedAt: now.Add(-flows.RecentVerification)}
	require.NoError(t, flows.RequireRecentVerification(s, now))
	s.VerifiedAt = now.Add(-flows.RecentVerification - time.Second)
	require.ErrorIs(t, flows.RequireRecentVerification(s, now), flows.ErrReverificationRequired)
	require.ErrorIs(t, flows.RequireRecentVerification(nil, now), flows.ErrUnauthenticated)
}
