package db_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
)

// newTenant creates a tenant with a unique slug starting with prefix.
func newTenant(t *testing.T, d *db.DB, prefix string) *db.Tenant {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	tn := &db.Tenant{Slug: prefix + "-" + hex.EncodeToString(b[:]), Name: prefix, Settings: `{"schema":1}`}
	require.NoError(t, d.Tenants().Create(context.Background(), tn))
	return tn
}

// newFlow creates a flow for tenant expiring at expires.
func newFlow(t *testing.T, s db.Scope, expires time.Time) *db.Flow {
	t.Helper()
	f := &db.Flow{Kind: "sign_in", State: "start", Context: `{"a":1}`, ExpiresAt: expires}
	require.NoError(t, s.Flows().Create(context.Background(), f))
	return f
}
