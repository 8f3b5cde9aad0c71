package jobs_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/jobs"
)

// TestBackchannelLogout_PublicAddressesOnlyByDefault: an administrator's
// back-channel URI cannot make the server post to its own loopback (or any
// private address) unless private addresses are allowed, as in
// development; the refusal is a failed delivery that says why.
func TestBackchannelLogout_PublicAddressesOnlyByDefault(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	tn := testdb.Tenant(t, d, "acme")
	var posts atomic.Int32
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { posts.Add(1) }))
	defer rp.Close()
	localhost := strings.Replace(rp.URL, "127.0.0.1", "localhost", 1)

	guarded := &jobs.BackchannelLogoutWorker{DB: d, Signer: &plainSigner{}, HTTP: jobs.NewBackchannelHTTPClient(false), Clock: clock.Real{}, Logger: testLogger(t)}
	for _, uri := range []string{rp.URL, localhost} {
		err := guarded.Work(t.Context(), logoutJob(tn, logoutApp(t, d, tn, uri)))
		require.ErrorContains(t, err, "not a public address", uri)
	}
	require.Zero(t, posts.Load(), "nothing reached the loopback service")

	open := *guarded
	open.HTTP = jobs.NewBackchannelHTTPClient(true)
	require.NoError(t, open.Work(t.Context(), logoutJob(tn, logoutApp(t, d, tn, rp.URL))))
	require.EqualValues(t, 1, posts.Load(), "allowed, as in development, it is delivered")
}
