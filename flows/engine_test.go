package flows_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// The engine's own paths, on a small machine of its own:
//
//	a ──count──▶ stays   (N+1; input says how the step ends)
//	a ──go──▶ b
//	a ──arm──▶ stays     (a ceremony on the flow)
//	a ──finish──▶ done   (a finisher: takes the flow with its ceremony)
//	a|b ──end──▶ done
type counter struct {
	N int `json:"n"`
}

// countInput says how count ends: "" succeeds, "fail" returns a
// flows.Fail, "error" a plain error, "move" leads to b (which count does
// not declare). Marker, when set, is the token hash of a row count writes
// in the step's transaction first.
type countInput struct {
	Mode   string `json:"mode"`
	Marker []byte `json:"marker,omitempty"`
}

type engineEnv struct {
	d      *db.DB
	tenant *tenants.Tenant
	engine *flows.Engine[counter]
	// hold, when set, is where count and end wait (after reading the
	// flow) until it is closed; entered counts the steps that got there.
	hold    chan struct{}
	entered atomic.Int32
}

func newEngineEnv(t *testing.T, d *db.DB) *engineEnv {
	t.Helper()
	dt := testdb.Tenant(t, d, "engine")
	e := &engineEnv{d: d, tenant: &tenants.Tenant{ID: dt.ID, Slug: dt.Slug, Name: dt.Name}}
	wait := func() {
		if e.hold != nil {
			e.entered.Add(1)
			<-e.hold
		}
	}
	m := &flows.Machine[counter]{
		Kind: "engine_test", Start: "a", TTL: time.Hour,
		Transitions: []flows.Transition{
			{Action: "count", From: []flows.State{"a"}, Stays: true},
			{Action: "go", From: []flows.State{"a"}, To: []flows.State{"b"}},
			{Action: "arm", From: []flows.State{"a"}, Stays: true},
			{Action: "finish", From: []flows.State{"a"}, To: []flows.State{flows.Done}},
			{Action: "end", From: []flows.State{"a", "b"}, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[counter]{
			"count": func(ctx context.Context, step *flows.Step[counter]) error {
				wait()
				var in countInput
				if len(step.Input) > 0 {
					if err := json.Unmarshal(step.Input, &in); err != nil {
						return err
					}
				}
				if in.Marker != nil {
					marker := &db.Flow{Kind: "marker", State: "x", Context: "{}", TokenHash: in.Marker, ExpiresAt: step.Now.Add(time.Hour)}
					if err := step.Scope.Flows().Create(ctx, marker); err != nil {
						return err
					}
				}
				step.Context.N++
				step.Output = step.Context.N
				switch in.Mode {
				case "fail":
					return flows.Fail(flows.ErrInvalidCode)
				case "error":
					return errors.New("boom")
				case "move":
					step.Next = "b"
				}
				return nil
			},
			"go": func(_ context.Context, step *flows.Step[counter]) error {
				step.Next = "b"
				return nil
			},
			"arm": func(_ context.Context, step *flows.Step[counter]) error {
				step.SetCeremony(`{"challenge":"c"}`, step.Now.Add(time.Hour))
				return nil
			},
			"finish": func(_ context.Context, step *flows.Step[counter]) error {
				if _, ok := step.TakeCeremony(); !ok {
					return flows.Fail(flows.ErrCeremonyMissing)
				}
				if step.Context.N == 0 {
					return flows.Fail(flows.ErrPasskeyFailed)
				}
				step.Next = flows.Done
				return nil
			},
			"end": func(_ context.Context, step *flows.Step[counter]) error {
				wait()
				step.Next = flows.Done
				return nil
			},
		},
	}
	eng, err := flows.NewEngine(d, m, nil, nil, "finish")
	require.NoError(t, err)
	e.engine = eng
	return e
}

func (e *engineEnv) start(t *testing.T) string {
	t.Helper()
	res, err := e.engine.Start(context.Background(), e.tenant, counter{})
	require.NoError(t, err)
	return res.Token
}

func (e *engineEnv) run(token, action string, in any) (*flows.Result, error) {
	raw, _ := json.Marshal(in)
	return e.engine.Run(context.Background(), e.tenant, token, action, raw, flows.RequestInfo{})
}

// stored returns the flow token addresses, or nil when there is none.
func (e *engineEnv) stored(t *testing.T, token string) *db.Flow {
	t.Helper()
	f, err := e.d.ForTenant(e.tenant.ID).Flows().ByToken(context.Background(), flows.HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	require.NoError(t, err)
	return f
}

func (e *engineEnv) markerExists(t *testing.T, hash []byte) bool {
	t.Helper()
	_, err := e.d.ForTenant(e.tenant.ID).Flows().ByToken(context.Background(), hash)
	if errors.Is(err, db.ErrNotFound) {
		return false
	}
	require.NoError(t, err)
	return true
}

func context0(t *testing.T, f *db.Flow) counter {
	t.Helper()
	var c counter
	require.NoError(t, json.Unmarshal([]byte(f.Context), &c))
	return c
}

func TestEngine_FailCommitsTheStepAndKeepsTheState(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEngineEnv(t, d)
		token := e.start(t)
		_, marker := flows.NewToken()
		_, err := e.run(token, "count", countInput{Mode: "fail", Marker: marker})
		require.ErrorIs(t, err, flows.ErrInvalidCode)
		require.True(t, e.markerExists(t, marker), "what the failed step wrote is committed")
		f := e.stored(t, token)
		require.NotNil(t, f)
		require.Equal(t, "a", f.State)
		require.Equal(t, 1, context0(t, f).N, "the failed step's context is saved")
	})
}

func TestEngine_AnOtherErrorRollsTheStepBack(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEngineEnv(t, d)
		token := e.start(t)
		before := e.stored(t, token)
		_, marker := flows.NewToken()
		_, err := e.run(token, "count", countInput{Mode: "error", Marker: marker})
		require.ErrorIs(t, err, flows.ErrInternal)
		require.False(t, e.markerExists(t, marker), "nothing the step wrote is kept")
		f := e.stored(t, token)
		require.Equal(t, before.Version, f.Version)
		require.Equal(t, 0, context0(t, f).N)
	})
}

func TestEngine_AStaysTransitionCannotMoveTheFlow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEngineEnv(t, d)
		token := e.start(t)
		res, err := e.run(token, "count", countInput{})
		require.NoError(t, err)
		require.Equal(t, flows.State("a"), res.State)
		_, err = e.run(token, "count", countInput{Mode: "move"})
		require.ErrorIs(t, err, flows.ErrInternal, "count stays: it may not lead to b")
		f := e.stored(t, token)
		require.Equal(t, "a", f.State)
		require.Equal(t, 1, context0(t, f).N)
	})
}

func TestEngine_AFailedFinisherGivesTheFlowBackWithoutItsCeremony(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEngineEnv(t, d)
		token := e.start(t)
		_, err := e.run(token, "arm", nil)
		require.NoError(t, err)
		require.NotNil(t, e.stored(t, token).Ceremony)

		_, err = e.run(token, "finish", nil)
		require.ErrorIs(t, err, flows.ErrPasskeyFailed)
		f := e.stored(t, token)
		require.NotNil(t, f, "the flow taken by the finisher is back")
		require.Equal(t, "a", f.State)
		require.Nil(t, f.Ceremony, "the ceremony is used once")
		_, err = e.run(token, "finish", nil)
		require.ErrorIs(t, err, flows.ErrCeremonyMissing)

		// With a new ceremony the finisher ends the flow.
		_, err = e.run(token, "count", countInput{})
		require.NoError(t, err)
		_, err = e.run(token, "arm", nil)
		require.NoError(t, err)
		res, err := e.run(token, "finish", nil)
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		require.Nil(t, e.stored(t, token))
	})
}

// TestEngine_RequestsOnOneFlowRunOneAtATime holds a step inside its action
// and sends a second request on the same flow: the second does not reach
// its action until the first committed, and then sees what it wrote.
func TestEngine_RequestsOnOneFlowRunOneAtATime(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEngineEnv(t, d)
		token := e.start(t)
		e.hold = make(chan struct{})
		first, second := make(chan error, 1), make(chan *flows.Result, 1)
		go func() {
			_, err := e.run(token, "count", countInput{})
			first <- err
		}()
		require.Eventually(t, func() bool { return e.entered.Load() == 1 }, 10*time.Second, 5*time.Millisecond)
		go func() {
			res, err := e.run(token, "count", countInput{})
			if err != nil {
				res = nil
			}
			second <- res
		}()
		time.Sleep(300 * time.Millisecond)
		require.Equal(t, int32(1), e.entered.Load(), "the second request waits for the first")
		close(e.hold)
		require.NoError(t, <-first)
		res := <-second
		require.NotNil(t, res)
		require.Equal(t, 2, res.Output, "the second step saw the first's count")
		require.Equal(t, 2, context0(t, e.stored(t, token)).N)
	})
}

// TestEngine_AWaitingRequestFindsNoFlowOnceAnotherEndedIt holds an ending
// step inside its action while a second request waits on the flow: once
// the first commits, the second finds no flow.
func TestEngine_AWaitingRequestFindsNoFlowOnceAnotherEndedIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newEngineEnv(t, d)
		token := e.start(t)
		e.hold = make(chan struct{})
		first, second := make(chan error, 1), make(chan error, 1)
		go func() {
			_, err := e.run(token, "end", nil)
			first <- err
		}()
		require.Eventually(t, func() bool { return e.entered.Load() == 1 }, 10*time.Second, 5*time.Millisecond)
		go func() {
			_, err := e.run(token, "count", countInput{})
			second <- err
		}()
		time.Sleep(300 * time.Millisecond)
		require.Equal(t, int32(1), e.entered.Load(), "the second request waits for the first")
		close(e.hold)
		require.NoError(t, <-first)
		require.ErrorIs(t, <-second, flows.ErrFlowNotFound)
		require.Equal(t, int32(1), e.entered.Load(), "the second request ran no action")
	})
}

func TestFlowStore_AStaleVersionConflicts(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dt := testdb.Tenant(t, d, "stale")
		flowsOf := d.ForTenant(dt.ID).Flows()
		created := testdb.Flow(t, d.ForTenant(dt.ID), time.Now().Add(time.Hour))
		fresh, err := flowsOf.Get(ctx, created.ID)
		require.NoError(t, err)
		stale, err := flowsOf.Get(ctx, created.ID)
		require.NoError(t, err)

		fresh.State = "moved"
		require.NoError(t, flowsOf.Update(ctx, fresh, time.Now()))
		stale.State = "other"
		require.ErrorIs(t, flowsOf.Update(ctx, stale, time.Now()), db.ErrConflict)
		require.ErrorIs(t, flowsOf.DeleteVersion(ctx, stale), db.ErrConflict)

		got, err := flowsOf.Get(ctx, created.ID)
		require.NoError(t, err)
		require.Equal(t, "moved", got.State, "the stale writes changed nothing")
		require.NoError(t, flowsOf.DeleteVersion(ctx, fresh))
		require.ErrorIs(t, flowsOf.DeleteVersion(ctx, fresh), db.ErrNotFound)
	})
}
