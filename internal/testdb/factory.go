package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
)

// Tenant creates a tenant whose slug is prefix plus a random suffix and
// whose name is prefix.
func Tenant(t testing.TB, d *db.DB, prefix string) *db.Tenant {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	tn := &db.Tenant{Slug: prefix + "-" + hex.EncodeToString(b[:]), Name: prefix, Settings: `{"schema":1}`}
	require.NoError(t, d.Tenants().Create(context.Background(), tn))
	return tn
}

// Flow creates a sign-in flow in scope s, in state "start" with context
// {"a":1}, expiring at expires.
func Flow(t testing.TB, s db.Scope, expires time.Time) *db.Flow {
	t.Helper()
	f := &db.Flow{Kind: "sign_in", State: "start", Context: `{"a":1}`, ExpiresAt: expires}
	require.NoError(t, s.Flows().Create(context.Background(), f))
	return f
}
