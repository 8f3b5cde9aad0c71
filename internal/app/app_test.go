package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/app"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestBuild_MakesTheWholeServerWithTheAdminTenant(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	a, err := app.Build(context.Background(), app.Config{DB: d, BaseDomain: "example.test"})
	require.NoError(t, err)
	require.NotNil(t, a.Jobs)
	require.NotNil(t, a.Senders)

	admin, err := a.Tenants.BySlug(context.Background(), tenants.AdminSlug)
	require.NoError(t, err)
	require.Equal(t, "admin.example.test", a.Tenants.Host(admin), "one tenants service, with the real base domain")

	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://example.test/readyz", nil))
	require.Equal(t, http.StatusOK, rec.Code)

	require.NoError(t, a.Start(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, a.Stop(ctx))
}

func TestBuild_RefusesAConfigWithoutDatabaseOrBaseDomain(t *testing.T) {
	t.Parallel()
	_, err := app.Build(context.Background(), app.Config{BaseDomain: "example.test"})
	require.ErrorContains(t, err, "DB")
	_, err = app.Build(context.Background(), app.Config{DB: testdb.New(t, testdb.SQLite)})
	require.ErrorContains(t, err, "BaseDomain")
}
