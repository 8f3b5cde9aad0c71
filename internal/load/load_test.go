package load_test

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// The load's bounds. The admission bounds are lower than the server's
// defaults so that a 2-core machine under -race holds the noisy tenant to
// a share it can serve; the test's time is bounded by measureFor,
// floodFor and the sign-ins cap whatever the machine's speed.
const (
	// measureClients is the noisy tenant's share: closed loops that keep
	// the machine busy without a refusal.
	measureClients = 8
	measureFor     = 2 * time.Second
	floodFor       = 4 * time.Second
	overload       = 4
	// maxSignIns caps the flood's sign-ins (the count bound).
	maxSignIns = 4000
	// quietEvery is the quiet tenant's pace: one sign-in at a time.
	quietEvery = 100 * time.Millisecond
	// heapSlack is how far the heap, after a GC, may end above where it
	// began: the server's caches and pools, not the load's requests.
	heapSlack = 64 << 20
)

var admission = server.AdmissionConfig{TenantInFlight: measureClients, TotalInFlight: 2 * measureClients}

// TestLoad_ANoisyTenantAtFourTimesTheSustainedRateNeitherFailsNorStarvesAnother
// measures the passkey sign-ins per second the machine sustains (tenant
// noisy, measureClients at a time), then has noisy start sign-ins at
// four times that rate for floodFor, never waiting for the answers, while
// tenant quiet signs in one at a time every quietEvery. Every answer is
// correct: a session for the right user, or a refusal (429 tenant_busy or
// 503 server_busy) with Retry-After, never a 500 or a transport error;
// quiet is never refused and its slowest sign-in stays within a bound; the
// heap after a GC ends within heapSlack of where it began, and the
// goroutines come back.
func TestLoad_ANoisyTenantAtFourTimesTheSustainedRateNeitherFailsNorStarvesAnother(t *testing.T) {
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{Admission: &admission})
	noisy, quiet := newMember(t, srv, "noisy"), newMember(t, srv, "quiet")
	for _, m := range []*member{noisy, quiet} {
		o := m.signIn(t)
		require.True(t, o.signedIn, "%s: %v", m.slug, o.err)
	}

	rate, typical := measure(t, noisy)
	t.Logf("sustained: %.1f sign-ins/s at %d clients, median %v", rate, measureClients, typical)
	require.Positive(t, rate)

	heapBefore, goroutinesBefore := settle()
	stop := make(chan struct{})
	quietDone := make(chan []outcome)
	go func() { quietDone <- paced(t, quiet, stop) }()
	flood := floodAt(t, noisy, overload*rate)
	close(stop)
	quietRes := <-quietDone

	var quietLatency []time.Duration
	for _, o := range quietRes {
		require.NoError(t, o.err, "quiet: every answer correct")
		require.True(t, o.signedIn, "quiet is never refused: its share is its own")
		quietLatency = append(quietLatency, o.latency)
	}
	slices.Sort(quietLatency)
	require.GreaterOrEqual(t, len(quietLatency), int(floodFor/quietEvery/4), "quiet keeps signing in at about its pace")
	worst := quietLatency[len(quietLatency)-1]
	bound := max(30*typical, 3*time.Second)
	t.Logf("quiet: %d sign-ins, median %v, slowest %v (bound %v)", len(quietLatency), quietLatency[len(quietLatency)/2], worst, bound)
	require.Less(t, worst, bound, "quiet's sign-ins keep a bounded latency under noisy's flood")

	var signedIn, refused int
	byStatus := map[int]int{}
	for _, o := range flood {
		require.NoError(t, o.err, "noisy: every answer correct")
		if o.signedIn {
			signedIn++
		} else {
			require.True(t, o.refused)
			refused++
			byStatus[o.status]++
		}
	}
	t.Logf("noisy at %.1f/s: %d sign-ins started, %d signed in (%.1f/s), %d refused %v", overload*rate, len(flood), signedIn,
		float64(signedIn)/floodFor.Seconds(), refused, byStatus)
	require.Positive(t, signedIn, "the noisy tenant is still served its share")
	require.Positive(t, refused, "four times the sustained rate is more than the noisy tenant's share")

	noisy.http.CloseIdleConnections()
	quiet.http.CloseIdleConnections()
	heapAfter, goroutinesAfter := settle()
	t.Logf("heap %d → %d KiB, goroutines %d → %d", heapBefore>>10, heapAfter>>10, goroutinesBefore, goroutinesAfter)
	require.Less(t, heapAfter, heapBefore+heapSlack, "the heap comes back")
	require.Less(t, goroutinesAfter, goroutinesBefore+20, "the requests' goroutines end")
}

// measure runs measureClients sign-in loops for measureFor and returns
// the sign-ins per second and the median sign-in's latency. None may be
// refused: measureClients is within the tenant's share.
func measure(t *testing.T, m *member) (float64, time.Duration) {
	var (
		mu  sync.Mutex
		all []time.Duration
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range measureClients {
		wg.Go(func() {
			for time.Since(start) < measureFor {
				o := m.signIn(t)
				if o.err != nil || !o.signedIn {
					t.Errorf("measuring: %+v", o)
					return
				}
				mu.Lock()
				all = append(all, o.latency)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	require.False(t, t.Failed())
	slices.Sort(all)
	return float64(len(all)) / elapsed.Seconds(), all[len(all)/2]
}

// floodAt starts sign-ins of m at perSecond for floodFor (at most
// maxSignIns), each on its own, and returns their outcomes once all ended.
func floodAt(t *testing.T, m *member, perSecond float64) []outcome {
	every := time.Duration(float64(time.Second) / perSecond)
	n := min(int(floodFor/every), maxSignIns)
	out := make([]outcome, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * every)); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() { out[i] = m.signIn(t) })
	}
	wg.Wait()
	return out
}

// paced signs m in one at a time, every quietEvery, until stop.
func paced(t *testing.T, m *member, stop <-chan struct{}) []outcome {
	var out []outcome
	tick := time.NewTicker(quietEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return out
		case <-tick.C:
			out = append(out, m.signIn(t))
		}
	}
}

// settle collects garbage and returns the live heap and the goroutines,
// once the server's idle connections had a moment to close.
func settle() (uint64, int) {
	time.Sleep(200 * time.Millisecond)
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}
