// Package addpasskey is the flow by which a signed-in user registers
// another passkey (the account page, and POST /webauthn/register).
//
// The machine (declared in Machine):
//
//	start   ──passkey.begin──▶ passkey   (creation options issued)
//	passkey ──passkey.begin──▶ passkey   (new options, the old ceremony dropped)
//	passkey ──passkey.finish──▶ done     (credential stored)
//
// Every step must come from the user who started the flow, in a session
// that proved a factor within flows.RecentVerification: the check is in
// the actions, so no door that runs this engine (the flow API, the
// WebAuthn register routes, GraphQL) can skip it.
package addpasskey

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
)

// Kind is the flow kind.
const Kind = "add_passkey"

// States.
const (
	Start   flows.State = "start"
	Passkey flows.State = "passkey"
)

// Actions.
const (
	ActionPasskeyBegin  = "passkey.begin"
	ActionPasskeyFinish = "passkey.finish"
)

// Context is the flow's stored context.
type Context struct {
	UserID uuid.UUID `json:"user_id"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the add-passkey engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	return flows.NewEngineFromDeps(d, Machine(&actions{Deps: d}))
}

// Machine declares the flow.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Start,
		TTL:   10 * time.Minute,
		Transitions: []flows.Transition{
			{Action: ActionPasskeyBegin, From: []flows.State{Start, Passkey}, To: []flows.State{Passkey}},
			{Action: ActionPasskeyFinish, From: []flows.State{Passkey}, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[Context]{
			ActionPasskeyBegin:  a.passkeyBegin,
			ActionPasskeyFinish: a.passkeyFinish,
		},
	}
}

type actions struct{ Deps }

// owner checks that the request comes from the flow's user, in a session
// verified recently enough to add a way to sign in.
func owner(ctx context.Context, step *flows.Step[Context]) error {
	if step.Request.UserID == nil || *step.Request.UserID != step.Context.UserID {
		return flows.ErrUnauthenticated
	}
	return flows.RequireRecentVerificationOf(ctx, step.Scope, step.Request, step.Now)
}

// registration registers a passkey for the flow's user, named as the
// account is, excluding the passkeys the user has.
func (a *actions) registration(step *flows.Step[Context]) flows.PasskeyRegistration {
	return flows.PasskeyRegistration{
		Passkeys: a.Passkeys,
		Logger:   a.Logger,
		Registrant: func(ctx context.Context) (passkey.Registrant, error) {
			user, err := step.Scope.Users().ByID(ctx, step.Context.UserID)
			if err != nil {
				return passkey.Registrant{}, err
			}
			creds, err := step.Scope.Credentials().ByUser(ctx, user.ID, "")
			if err != nil {
				return passkey.Registrant{}, err
			}
			return passkey.Registrant{Handle: user.WebAuthnHandle, Name: user.DisplayName, Existing: creds}, nil
		},
		Owner: func(context.Context) (uuid.UUID, error) { return step.Context.UserID, nil },
	}
}

func (a *actions) passkeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if err := owner(ctx, step); err != nil {
		return err
	}
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	return flows.BeginPasskeyRegistration(ctx, step, a.registration(step), Passkey)
}

// Added describes the stored passkey.
type Added struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	if err := owner(ctx, step); err != nil {
		return err
	}
	cred, err := flows.FinishPasskeyRegistration(ctx, step, a.registration(step))
	if err != nil {
		return err
	}
	step.Next = flows.Done
	step.Output = Added{ID: cred.ID, Name: cred.Name}
	return nil
}
