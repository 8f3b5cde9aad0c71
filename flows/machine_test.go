package flows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

type testContext struct{}

func noop(context.Context, *Step[testContext]) error { return nil }

func machine(transitions ...Transition) *Machine[testContext] {
	m := &Machine[testContext]{Kind: "test", Start: "a", TTL: time.Minute, Transitions: transitions, Actions: map[string]Action[testContext]{}}
	for _, t := range transitions {
		m.Actions[t.Action] = noop
	}
	return m
}

func TestMachineCheck_AcceptsAWellFormedMachine(t *testing.T) {
	t.Parallel()
	m := machine(
		Transition{Action: "go", From: []State{"a"}, To: []State{"b"}},
		Transition{Action: "end", From: []State{"b"}, To: []State{Done}},
	)
	require.NoError(t, m.check())
	require.Equal(t, []string{"go"}, m.Allowed("a"))
	require.Empty(t, m.Allowed(Done))
	require.Equal(t, []State{"a", "b", Done}, m.States())
}

func TestMachineCheck_RefusesBrokenDeclarations(t *testing.T) {
	t.Parallel()
	unreachable := machine(
		Transition{Action: "go", From: []State{"a"}, To: []State{Done}},
		Transition{Action: "orphan", From: []State{"x"}, To: []State{Done}},
	)
	require.ErrorContains(t, unreachable.check(), "cannot be reached")

	fromDone := machine(
		Transition{Action: "go", From: []State{"a"}, To: []State{Done}},
		Transition{Action: "again", From: []State{Done}, To: []State{"a"}},
	)
	require.ErrorContains(t, fromDone.check(), "final")

	noAction := machine(Transition{Action: "go", From: []State{"a"}, To: []State{Done}})
	delete(noAction.Actions, "go")
	require.ErrorContains(t, noAction.check(), "has no action")

	unused := machine(Transition{Action: "go", From: []State{"a"}, To: []State{Done}})
	unused.Actions["spare"] = noop
	require.ErrorContains(t, unused.check(), "in no transition")

	empty := machine(Transition{Action: "go", From: []State{"a"}})
	require.ErrorContains(t, empty.check(), "needs from and to")

	noTTL := machine(Transition{Action: "go", From: []State{"a"}, To: []State{Done}})
	noTTL.TTL = 0
	require.Error(t, noTTL.check())
}

func TestNewEngine_FinisherMustEndTheFlow(t *testing.T) {
	t.Parallel()
	m := machine(
		Transition{Action: "go", From: []State{"a"}, To: []State{"b"}},
		Transition{Action: "end", From: []State{"b"}, To: []State{Done}},
	)
	_, err := NewEngine(nil, m, nil, nil, "go")
	require.ErrorContains(t, err, "must lead only to done")
	_, err = NewEngine(nil, m, nil, nil, "end")
	require.NoError(t, err)
}

func TestStep_CeremonyIsTakenOnceAndExpires(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := &Step[testContext]{Now: now}
	_, ok := s.TakeCeremony()
	require.False(t, ok)

	s.SetCeremony("c1", now.Add(time.Minute))
	got, ok := s.TakeCeremony()
	require.True(t, ok)
	require.Equal(t, "c1", got)
	_, ok = s.TakeCeremony()
	require.False(t, ok, "a ceremony is used once")

	s.SetCeremony("c2", now) // expires exactly now
	_, ok = s.TakeCeremony()
	require.False(t, ok)
}

func TestMachineCheck_RefusesACaptchaOnAPasskeyAction(t *testing.T) {
	t.Parallel()
	for _, action := range []string{"passkey", "passkey.begin", "passkey.finish", "mfa.passkey.begin", "mfa.passkey.finish"} {
		m := machine(
			Transition{Action: "password", From: []State{"a"}, To: []State{Done}, Captcha: true},
			Transition{Action: action, From: []State{"a"}, To: []State{Done}, Captcha: true},
		)
		require.ErrorContains(t, m.check(), "passkey action \""+action+"\" is guarded by a CAPTCHA", action)
	}
	// The names are matched by part, not by substring.
	require.False(t, IsPasskeyAction("passkeys.list"))
	require.True(t, IsPasskeyAction("mfa.passkey.finish"))
}

func TestMachineCheck_RefusesAnActionGuardedInOnlySomeStates(t *testing.T) {
	t.Parallel()
	m := machine(
		Transition{Action: "go", From: []State{"a"}, To: []State{"b"}},
		Transition{Action: "code", From: []State{"a"}, To: []State{"b"}, Captcha: true},
		Transition{Action: "code", From: []State{"b"}, To: []State{Done}},
	)
	require.ErrorContains(t, m.check(), "guarded in some transitions and not in others")
}

type acceptAll struct{}

func (acceptAll) Verify(context.Context, tenants.Captcha, string, string) error { return nil }

func TestNewEngine_GuardedActionsNeedAVerifierAndFinishersCannotBeGuarded(t *testing.T) {
	t.Parallel()
	guarded := machine(Transition{Action: "password", From: []State{"a"}, To: []State{Done}, Captcha: true})
	_, err := NewEngine(nil, guarded, nil, nil)
	require.ErrorContains(t, err, "has no CAPTCHA verifier")
	e, err := NewEngineFromDeps(Deps{Captcha: acceptAll{}}, guarded)
	require.NoError(t, err)
	require.Equal(t, []string{"password"}, e.Machine().CaptchaActions())

	finisher := machine(Transition{Action: "finish", From: []State{"a"}, To: []State{Done}, Captcha: true})
	_, err = NewEngineFromDeps(Deps{Captcha: acceptAll{}}, finisher, "finish")
	require.ErrorContains(t, err, "cannot be CAPTCHA-guarded")
}
