package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
)

// Statement budgets of an application's passkey sign-in, per request, once
// the process has the tenant's signing keys and the application in memory
// (DESIGN.md §9). Finding the request's tenant (tenants.Router) costs
// none: the process holds it (tenants.Service.Resolve).
const (
	// authorizeBudget: storing the request (the tenant comes from the
	// process's cache).
	authorizeBudget = 1
	// The passkey finish on the page opened for the request: the bare
	// finish's (in one transaction, the flow with its ceremony, the
	// credential with its user, the credential's counter, the session
	// with the audit log's sign-in event: one statement on PostgreSQL, two
	// on SQLite; see bareFinishBudget) and
	// one more in the same transaction that answers the request (reads it
	// and stores its user and code hash). Neither authorize (a browser without a
	// session goes straight to the sign-in page) nor the finish sends the
	// browser to /oidc/login.
	answerBudget = 1
)

// exchangeBudget is the code exchange's one transaction, the token
// request's only statements: use the code, store the access token, read
// the user; on PostgreSQL the code's statement reads the user.
func exchangeBudget(backend testdb.Backend) int {
	if backend == testdb.Postgres {
		return 2
	}
	return 3
}

// bareFinishBudget is the bare passkey finish's statements on backend.
func bareFinishBudget(backend testdb.Backend) int {
	if backend == testdb.Postgres {
		return 4
	}
	return 5
}

// finishPath is the passkey finish's request in the step counter.
const finishPath = "POST /api/flows/sign-in/passkey.finish"

// statements is the log of one request without transaction control.
func statements(log []string) []string {
	var out []string
	for _, q := range log {
		if !isTxControl(q) {
			out = append(out, q)
		}
	}
	return out
}

func isTxControl(q string) bool {
	q = strings.ToUpper(strings.TrimSpace(q))
	return strings.HasPrefix(q, "BEGIN") || strings.HasPrefix(q, "COMMIT") || strings.HasPrefix(q, "ROLLBACK")
}

// TestProvider_AppSignInStaysWithinItsStatementBudget holds each request
// of an application's passkey sign-in to its statement budget, on both
// databases: authorize (straight to the sign-in page), the passkey finish
// (which answers the client with a code, its statements in one
// transaction, and no /oidc/login), and the code exchange, whose
// statements run in one transaction.
func TestProvider_AppSignInStaysWithinItsStatementBudget(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			h := newSignInBench(t, backend, t)
			// Twice: the first sign-in may fill per-process caches (signing
			// keys, applications); the second is the steady state, a
			// person signing in again from their own browser (signed out,
			// its device cookie kept: no new-device notice is due).
			var device []*http.Cookie
			for i := range 2 {
				h.sc.reset()
				var at *url.URL
				at, device = h.appIn(t, h.returning(t, device))
				require.NotEmpty(t, device, "the sign-in leaves its device cookie")
				if i == 0 {
					continue
				}
				authorize, finish, exchange := h.sc.last("GET /oidc/authorize"), h.sc.last(finishPath), h.sc.last("POST /oidc/token")
				t.Logf("authorize %d, passkey finish %d, token %d", len(statements(authorize)), len(statements(finish)), len(statements(exchange)))
				require.Equal(t, "/", at.Path)
				require.Zero(t, h.sc.requests("GET /oidc/login"), "the browser goes from authorize to the sign-in page and from there to the client")
				require.LessOrEqual(t, len(statements(authorize)), authorizeBudget, "authorize:\n%s", strings.Join(authorize, "\n"))
				require.LessOrEqual(t, len(statements(finish)), bareFinishBudget(backend)+answerBudget, "passkey finish:\n%s", strings.Join(finish, "\n"))
				inFinishTx := exchangeTx(finish)
				require.Len(t, inFinishTx, len(statements(finish)), "the finish answers the request in its one transaction, and nothing besides it:\n%s", strings.Join(finish, "\n"))
				inTx := exchangeTx(exchange)
				require.NotNil(t, inTx, "the code exchange runs in one transaction:\n%s", strings.Join(exchange, "\n"))
				require.LessOrEqual(t, len(inTx), exchangeBudget(backend), "code exchange:\n%s", strings.Join(exchange, "\n"))
				require.Len(t, statements(exchange), len(inTx), "nothing besides the transaction, not even the tenant:\n%s", strings.Join(exchange, "\n"))
			}
		})
	}
}

// TestAppSignInBenchmark_ReportsTheRatio runs the benchmark's alternating
// loop briefly and checks that it reports the app/passkey ratio the
// README quotes. No time is asserted: only that an application's sign-in,
// which contains a bare one, is reported as costing more.
func TestAppSignInBenchmark_ReportsTheRatio(t *testing.T) {
	t.Parallel()
	h := newSignInBench(t, testdb.SQLite, t)
	res := testing.Benchmark(func(b *testing.B) { benchRatio(b, h) })
	require.Positive(t, res.N)
	require.Contains(t, res.Extra, ratioMetric)
	require.Greater(t, res.Extra[ratioMetric], 1.0)
}

// exchangeTx returns the statements of the one transaction in log, or nil
// when log has no transaction or more than one.
func exchangeTx(log []string) []string {
	var (
		out    []string
		begins int
		in     bool
	)
	for _, q := range log {
		switch up := strings.ToUpper(strings.TrimSpace(q)); {
		case strings.HasPrefix(up, "BEGIN"):
			begins++
			in = true
		case strings.HasPrefix(up, "COMMIT"), strings.HasPrefix(up, "ROLLBACK"):
			in = false
		case in:
			out = append(out, q)
		}
	}
	if begins != 1 || len(out) == 0 {
		return nil
	}
	return out
}
