package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// TestFederationStores_ATenantReachesOnlyItsOwnConnectorsAndLinks: tenant
// B can neither read, delete nor link through tenant A's connector, nor
// unlink A's identities; a subject links once per connector; deleting the
// connector deletes its links.
func TestFederationStores_ATenantReachesOnlyItsOwnConnectorsAndLinks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		a, b := d.ForTenant(testdb.Tenant(t, d, "acme").ID), d.ForTenant(testdb.Tenant(t, d, "bravo").ID)
		now := time.Now()
		c := &db.Connector{Name: "Corp SSO", Kind: "enterprise", Type: "oidc", Domains: db.StringList{"corp.example"}, Settings: "{}", ClientSecret: "s"}
		require.NoError(t, a.Connectors().Create(ctx, c, now))
		require.ErrorIs(t, a.Connectors().Create(ctx, &db.Connector{Name: "Corp SSO", Kind: "social", Type: "oidc", Settings: "{}"}, now), db.ErrDuplicate)

		_, err := b.Connectors().Get(ctx, c.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		list, err := b.Connectors().List(ctx)
		require.NoError(t, err)
		require.Empty(t, list)
		require.ErrorIs(t, b.Connectors().Delete(ctx, c.ID), db.ErrNotFound)

		ua := &db.User{WebAuthnHandle: []byte("a"), DisplayName: "A"}
		require.NoError(t, a.Users().Create(ctx, ua))
		ub := &db.User{WebAuthnHandle: []byte("b"), DisplayName: "B"}
		require.NoError(t, b.Users().Create(ctx, ub))
		fi := &db.FederatedIdentity{UserID: ua.ID, ConnectorID: c.ID, Subject: "sub-1"}
		require.NoError(t, a.FederatedIdentities().Link(ctx, fi, now))
		require.ErrorIs(t, a.FederatedIdentities().Link(ctx, &db.FederatedIdentity{UserID: ua.ID, ConnectorID: c.ID, Subject: "sub-1"}, now), db.ErrDuplicate)
		require.Error(t, b.FederatedIdentities().Link(ctx, &db.FederatedIdentity{UserID: ub.ID, ConnectorID: c.ID, Subject: "sub-2"}, now), "another tenant's connector")
		_, err = b.FederatedIdentities().BySubject(ctx, c.ID, "sub-1")
		require.ErrorIs(t, err, db.ErrNotFound)
		require.ErrorIs(t, b.FederatedIdentities().Unlink(ctx, ua.ID, fi.ID), db.ErrNotFound)

		got, err := a.FederatedIdentities().ByUser(ctx, ua.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, "Corp SSO", got[0].Connector.Name)

		require.NoError(t, a.Connectors().Delete(ctx, c.ID))
		_, err = a.FederatedIdentities().BySubject(ctx, c.ID, "sub-1")
		require.ErrorIs(t, err, db.ErrNotFound, "deleting the connector deletes its links")
	})
}
