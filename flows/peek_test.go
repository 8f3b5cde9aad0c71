package flows_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// peekEnv is a two-state machine on a fake clock:
//
//	a ──go──▶ b
//	a|b ──end──▶ done
func peekEnv(t *testing.T, d *db.DB, kind string, clk clock.Clock) (*flows.Engine[counter], *tenants.Tenant) {
	t.Helper()
	dt := testdb.Tenant(t, d, "peek")
	tn := &tenants.Tenant{ID: dt.ID, Slug: dt.Slug, Name: dt.Name}
	m := &flows.Machine[counter]{
		Kind: kind, Start: "a", TTL: 30 * time.Minute,
		Transitions: []flows.Transition{
			{Action: "go", From: []flows.State{"a"}, To: []flows.State{"b"}},
			{Action: "end", From: []flows.State{"a", "b"}, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[counter]{
			"go": func(_ context.Context, step *flows.Step[counter]) error {
				step.Context.N++
				step.Next = "b"
				return nil
			},
			"end": func(_ context.Context, step *flows.Step[counter]) error {
				step.Next = flows.Done
				return nil
			},
		},
	}
	eng, err := flows.NewEngine(d, m, clk, nil)
	require.NoError(t, err)
	return eng, tn
}

func TestEngine_PeekReadsTheStateInOneStatementAndChangesNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		eng, tn := peekEnv(t, d, "peek_test", clk)
		ctx := context.Background()
		res, err := eng.Start(ctx, tn, counter{})
		require.NoError(t, err)
		_, err = eng.Run(ctx, tn, res.Token, "go", json.RawMessage(`{}`), flows.RequestInfo{})
		require.NoError(t, err)
		before, err := d.ForTenant(tn.ID).Flows().ByToken(ctx, flows.HashToken(res.Token))
		require.NoError(t, err)

		cctx, count := db.CountStatements(ctx)
		p, err := eng.Peek(cctx, tn, res.Token)
		require.NoError(t, err)
		require.Equal(t, 1, count.N(), "a peek is one SELECT")
		require.Equal(t, flows.State("b"), p.State)
		require.Equal(t, []string{"end"}, p.Actions)
		require.True(t, p.ExpiresAt.Equal(before.ExpiresAt))

		clk.Advance(10 * time.Minute)
		_, err = eng.Peek(ctx, tn, res.Token)
		require.NoError(t, err)
		after, err := d.ForTenant(tn.ID).Flows().ByToken(ctx, flows.HashToken(res.Token))
		require.NoError(t, err)
		require.Equal(t, before.Version, after.Version, "a peek does not write the flow")
		require.True(t, before.ExpiresAt.Equal(after.ExpiresAt), "a peek does not extend the flow")
	})
}

func TestEngine_PeekFindsNoExpiredUnknownOrForeignFlow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		eng, tn := peekEnv(t, d, "peek_test", clk)
		other, _ := peekEnv(t, d, "peek_other", clk)
		ctx := context.Background()
		res, err := eng.Start(ctx, tn, counter{})
		require.NoError(t, err)

		_, err = eng.Peek(ctx, tn, "")
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
		_, err = eng.Peek(ctx, tn, "not-a-token")
		require.ErrorIs(t, err, flows.ErrFlowNotFound)
		_, err = other.Peek(ctx, tn, res.Token)
		require.ErrorIs(t, err, flows.ErrFlowNotFound, "a flow of another kind")
		foreign := &tenants.Tenant{ID: testdb.Tenant(t, d, "peek-foreign").ID}
		_, err = eng.Peek(ctx, foreign, res.Token)
		require.ErrorIs(t, err, flows.ErrFlowNotFound, "a flow of another tenant")

		clk.Advance(30 * time.Minute)
		_, err = eng.Peek(ctx, tn, res.Token)
		require.ErrorIs(t, err, flows.ErrFlowNotFound, "an expired flow")
	})
}
