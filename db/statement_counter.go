package db

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// StatementCount counts the SQL statements Sesame's stores run for one
// operation. Tests use it to hold each operation to its statement budget
// (DESIGN.md §9). Statements River runs itself are not counted.
type StatementCount struct {
	n atomic.Int64

	mu    sync.Mutex
	stmts []string
}

// N returns the number of statements counted so far.
func (c *StatementCount) N() int { return int(c.n.Load()) }

// Log returns every query run so far, in order, transaction control
// (BEGIN, COMMIT, ROLLBACK) included, so that a test can check which
// statements ran inside one transaction and say which ones ran when over
// its budget.
func (c *StatementCount) Log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.stmts)
}

type statementCountKey struct{}

// CountStatements returns a context under which every statement run by a
// store is counted in the returned StatementCount. Transaction control
// (BEGIN, COMMIT, ROLLBACK) is not counted: the budget is about the work
// inside a transaction.
func CountStatements(ctx context.Context) (context.Context, *StatementCount) {
	c := &StatementCount{}
	return context.WithValue(ctx, statementCountKey{}, c), c
}

// statementCounter is the bun query hook behind CountStatements.
type statementCounter struct{}

var _ bun.QueryHook = statementCounter{}

func (statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (statementCounter) AfterQuery(ctx context.Context, ev *bun.QueryEvent) {
	c, ok := ctx.Value(statementCountKey{}).(*StatementCount)
	if !ok {
		return
	}
	if !isTxControl(ev.Query) {
		c.n.Add(1)
	}
	c.mu.Lock()
	c.stmts = append(c.stmts, ev.Query)
	c.mu.Unlock()
}

func isTxControl(q string) bool {
	q = strings.ToUpper(strings.TrimSpace(q))
	for _, p := range []string{"BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION"} {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	return false
}
