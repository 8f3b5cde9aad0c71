package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// plainSigner "signs" by returning the claims, so a test can read them.
type plainSigner struct{ alg string }

func (s *plainSigner) SignLogoutToken(_ context.Context, _ uuid.UUID, alg string, claims []byte) (string, error) {
	s.alg = alg
	return string(claims), nil
}

// logoutApp stores an application of tenant tn with uri as its
// back-channel logout URI.
func logoutApp(t *testing.T, d *db.DB, tn *db.Tenant, uri string) *db.OIDCApp {
	t.Helper()
	a := &db.OIDCApp{ClientID: "app_" + uuid.NewString(), Name: "Shop", Type: "web", AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600,
		IDTokenAlg: "ES256", BackchannelLogoutURI: uri}
	require.NoError(t, d.ForTenant(tn.ID).OIDCApps().Create(t.Context(), a))
	return a
}

func logoutJob(tn *db.Tenant, a *db.OIDCApp) *river.Job[jobs.BackchannelLogoutArgs] {
	return &river.Job[jobs.BackchannelLogoutArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: jobs.BackchannelLogoutArgs{TenantID: tn.ID, ClientID: a.ClientID,
		Issuer: "https://acme.example", Subject: "user-1", SessionID: uuid.New()}}
}

func TestBackchannelLogoutWorker_PostsTheClaimsAsAForm(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		var got map[string]any
		rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			require.NoError(t, json.Unmarshal([]byte(r.PostFormValue("logout_token")), &got))
		}))
		defer rp.Close()
		tn := testdb.Tenant(t, d, "acme")
		a := logoutApp(t, d, tn, rp.URL)
		now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		signer := &plainSigner{}
		w := &jobs.BackchannelLogoutWorker{DB: d, Signer: signer, HTTP: jobs.NewBackchannelHTTPClient(true), Clock: clock.NewFake(now), Logger: testLogger(t)}
		job := logoutJob(tn, a)
		require.NoError(t, w.Work(t.Context(), job))
		require.Equal(t, "ES256", signer.alg, "the application's ID token algorithm")
		require.Equal(t, "https://acme.example", got["iss"])
		require.Equal(t, []any{a.ClientID}, got["aud"])
		require.Equal(t, "user-1", got["sub"])
		require.Equal(t, job.Args.SessionID.String(), got["sid"])
		require.Equal(t, float64(now.Unix()), got["iat"])
		require.Equal(t, float64(now.Add(jobs.LogoutTokenTTL).Unix()), got["exp"])
		require.NotEmpty(t, got["jti"])
		require.NotContains(t, got, "nonce")
		require.Equal(t, map[string]any{jobs.BackchannelLogoutEvent: map[string]any{}}, got["events"])
	})
}

func TestBackchannelLogoutWorker_FailsOnErrorsAndRedirectsWithoutFollowing(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	tn := testdb.Tenant(t, d, "acme")
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		default:
			http.Error(w, "no", http.StatusBadRequest)
		}
	}))
	defer rp.Close()
	w := &jobs.BackchannelLogoutWorker{DB: d, Signer: &plainSigner{}, HTTP: jobs.NewBackchannelHTTPClient(true), Clock: clock.Real{}, Logger: testLogger(t)}

	for _, path := range []string{"/redirect", "/refused"} {
		err := w.Work(t.Context(), logoutJob(tn, logoutApp(t, d, tn, rp.URL+path)))
		require.Error(t, err, "%s: not delivered, so River retries", path)
	}
	require.Zero(t, elsewhere.Load(), "a redirect is not followed")

	slow := *w
	slow.HTTP = jobs.NewBackchannelHTTPClient(true)
	slow.HTTP.Timeout = 50 * time.Millisecond
	require.Error(t, slow.Work(t.Context(), logoutJob(tn, logoutApp(t, d, tn, rp.URL+"/slow"))), "the client has a timeout")
}

func TestBackchannelLogoutWorker_NothingToTellOrNoSigner(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	tn := testdb.Tenant(t, d, "acme")
	var posts atomic.Int32
	rp := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { posts.Add(1) }))
	defer rp.Close()
	w := &jobs.BackchannelLogoutWorker{DB: d, Signer: &plainSigner{}, HTTP: jobs.NewBackchannelHTTPClient(true), Clock: clock.Real{}, Logger: testLogger(t)}

	gone := logoutApp(t, d, tn, rp.URL)
	require.NoError(t, d.ForTenant(tn.ID).OIDCApps().Delete(t.Context(), gone.ClientID))
	require.NoError(t, w.Work(t.Context(), logoutJob(tn, gone)), "a deleted application is not told")
	require.NoError(t, w.Work(t.Context(), logoutJob(tn, logoutApp(t, d, tn, ""))), "nor one without a URI")
	other := testdb.Tenant(t, d, "bravo")
	require.NoError(t, w.Work(t.Context(), logoutJob(other, logoutApp(t, d, tn, rp.URL))), "nor another tenant's")
	require.Zero(t, posts.Load())

	unsigned := *w
	unsigned.Signer = nil
	err := unsigned.Work(t.Context(), logoutJob(tn, logoutApp(t, d, tn, rp.URL)))
	var cancel *river.JobCancelError
	require.True(t, errors.As(err, &cancel), "without a signer the job is cancelled, not retried: %v", err)
}
