package db

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// StatementCount counts the SQL statements Sesame's stores run for one
// operation. Tests use it to hold each operation to its statement budget
// (DESIGN.md §9). Statements River runs itself are not counted.
type StatementCount struct {
	n atomic.Int64
}

// N returns the number of statements counted so far.
func (c *StatementCount) N() int { return int(c.n.Load()) }

type statementCountKey struct{}

// CountStatements returns a context under which every statement run by a
// store is counted in the returned StatementCount.
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

func (statementCounter) AfterQuery(ctx context.Context, _ *bun.QueryEvent) {
	if c, ok := ctx.Value(statementCountKey{}).(*StatementCount); ok {
		c.n.Add(1)
	}
}
