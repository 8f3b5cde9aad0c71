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

func TestOIDCAppStore_ByIDAndUpdateStayWithinTheTenant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		acme := d.ForTenant(testdb.Tenant(t, d, "acme").ID)
		bravo := d.ForTenant(testdb.Tenant(t, d, "bravo").ID)
		a := &db.OIDCApp{ClientID: "shop", Name: "Shop", Type: "web", RedirectURIs: db.StringList{"https://shop.example/cb"},
			Scopes: db.StringList{"openid"}, AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, IDTokenAlg: "RS256",
			SecretHash: []byte("hash"), CreatedAt: now}
		require.NoError(t, acme.OIDCApps().Create(ctx, a))

		got, err := acme.OIDCApps().ByID(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, "shop", got.ClientID)
		_, err = bravo.OIDCApps().ByID(ctx, a.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "another tenant's application")
		_, err = acme.OIDCApps().ByID(ctx, uuid.New())
		require.ErrorIs(t, err, db.ErrNotFound)

		// Bravo cannot change it, even knowing its id.
		theirs := *got
		theirs.Name = "Mine"
		require.ErrorIs(t, bravo.OIDCApps().Update(ctx, &theirs, now), db.ErrNotFound)

		got.Name = "Shop 2"
		got.RedirectURIs = db.StringList{"https://shop.example/cb2"}
		got.FirstParty = true
		got.IDTokenAlg = "ES256"
		got.ClientID = "changed"
		got.SecretHash = []byte("other")
		require.NoError(t, acme.OIDCApps().Update(ctx, got, now.Add(time.Minute)))
		after, err := acme.OIDCApps().ByID(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, "Shop 2", after.Name)
		require.Equal(t, db.StringList{"https://shop.example/cb2"}, after.RedirectURIs)
		require.True(t, after.FirstParty)
		require.Equal(t, "ES256", after.IDTokenAlg)
		require.Equal(t, "shop", after.ClientID, "the client id does not change")
		require.Equal(t, []byte("hash"), after.SecretHash, "nor the secret")
		require.Equal(t, now.Add(time.Minute), after.UpdatedAt.UTC())
	})
}
