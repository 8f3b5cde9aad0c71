package provider_test

import (
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
	// authorizeBudget: storing the request.
	authorizeBudget = 1
	// /oidc/login, signed in, answers the client with a code (the request,
	// the session, the code). A browser without a session goes from
	// authorize straight to the sign-in page, without it.
	loginWithCodeBudget = 3
	// exchangeBudget is the code exchange's one transaction, the token
	// request's only statements.
	exchangeBudget = 3
)

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
// databases: authorize (straight to the sign-in page), /oidc/login (back
// with a code), and the code exchange, whose statements run in one
// transaction.
func TestProvider_AppSignInStaysWithinItsStatementBudget(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			h := newSignInBench(t, backend, t)
			// Twice: the first sign-in may fill per-process caches (signing
			// keys, applications); the second is the steady state.
			for i := range 2 {
				h.sc.reset()
				at := h.app(t)
				if i == 0 {
					continue
				}
				authorize, login, exchange := h.sc.last("GET /oidc/authorize"), h.sc.last("GET /oidc/login"), h.sc.last("POST /oidc/token")
				t.Logf("authorize %d, login %d, token %d", len(statements(authorize)), len(statements(login)), len(statements(exchange)))
				require.Equal(t, "/", at.Path)
				require.Equal(t, 1, h.sc.requests("GET /oidc/login"), "without a session, authorize sends the browser straight to the sign-in page")
				require.LessOrEqual(t, len(statements(authorize)), authorizeBudget, "authorize:\n%s", strings.Join(authorize, "\n"))
				require.LessOrEqual(t, len(statements(login)), loginWithCodeBudget, "login:\n%s", strings.Join(login, "\n"))
				inTx := exchangeTx(exchange)
				require.NotNil(t, inTx, "the code exchange runs in one transaction:\n%s", strings.Join(exchange, "\n"))
				require.LessOrEqual(t, len(inTx), exchangeBudget, "code exchange:\n%s", strings.Join(exchange, "\n"))
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
