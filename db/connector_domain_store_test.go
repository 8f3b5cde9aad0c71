package db_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestConnectorDomains_VerifiedForOneConnectorPerTenant: a domain is
// verified for one connector of a tenant (another's MarkVerified is
// ErrDuplicate), while another tenant verifies the same domain for its
// own; tenant B neither sees nor verifies A's rows; deleting a connector
// removes its domains and frees the domain.
func TestConnectorDomains_VerifiedForOneConnectorPerTenant(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		a, b := d.ForTenant(testdb.Tenant(t, d, "acme").ID), d.ForTenant(testdb.Tenant(t, d, "bravo").ID)
		now := time.Now()
		conn := func(s db.Scope, name string) uuid.UUID {
			c := &db.Connector{Name: name, Kind: "enterprise", Type: "oidc", Domains: db.StringList{"corp.example"}, Settings: "{}", ClientSecret: "s"}
			require.NoError(t, s.Connectors().Create(ctx, c, now))
			require.NoError(t, s.ConnectorDomains().Add(ctx, []*db.ConnectorDomain{{ConnectorID: c.ID, Domain: "corp.example", Token: name}}, now))
			return c.ID
		}
		a1, a2, b1 := conn(a, "one"), conn(a, "two"), conn(b, "three")
		require.NoError(t, a.ConnectorDomains().Add(ctx, []*db.ConnectorDomain{{ConnectorID: a1, Domain: "corp.example", Token: "again"}}, now))
		rows, err := a.ConnectorDomains().List(ctx, a1)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		require.Equal(t, "one", rows[0].Token, "adding again keeps the row")

		require.ErrorIs(t, b.ConnectorDomains().MarkVerified(ctx, a1, "corp.example", now), db.ErrNotFound)
		list, err := b.ConnectorDomains().List(ctx, a1)
		require.NoError(t, err)
		require.Empty(t, list)

		require.NoError(t, a.ConnectorDomains().MarkVerified(ctx, a1, "corp.example", now))
		require.NoError(t, a.ConnectorDomains().MarkVerified(ctx, a1, "corp.example", now), "verified again: unchanged")
		require.ErrorIs(t, a.ConnectorDomains().MarkVerified(ctx, a2, "corp.example", now), db.ErrDuplicate)
		require.NoError(t, b.ConnectorDomains().MarkVerified(ctx, b1, "corp.example", now), "another tenant's own proof")
		v, err := a.ConnectorDomains().Verified(ctx, "corp.example")
		require.NoError(t, err)
		require.Equal(t, a1, v.ConnectorID)

		require.NoError(t, a.Connectors().Delete(ctx, a1))
		_, err = a.ConnectorDomains().Verified(ctx, "corp.example")
		require.ErrorIs(t, err, db.ErrNotFound)
		require.NoError(t, a.ConnectorDomains().MarkVerified(ctx, a2, "corp.example", now), "the domain is free again")
	})
}
