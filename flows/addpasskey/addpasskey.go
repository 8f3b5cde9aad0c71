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
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
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
	return flows.NewEngine(d.DB, Machine(&actions{Deps: d}), d.Clock, d.Logger)
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

func (a *actions) registrant(ctx context.Context, step *flows.Step[Context]) (passkey.Registrant, error) {
	user, err := step.Scope.Users().ByID(ctx, step.Context.UserID)
	if err != nil {
		return passkey.Registrant{}, err
	}
	creds, err := step.Scope.Credentials().ByUser(ctx, user.ID, "")
	if err != nil {
		return passkey.Registrant{}, err
	}
	return passkey.Registrant{Handle: user.WebAuthnHandle, Name: user.DisplayName, Existing: creds}, nil
}

func (a *actions) passkeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if err := owner(ctx, step); err != nil {
		return err
	}
	if !step.Tenant.Settings.Passkeys.AllowRegistration {
		return flows.ErrPasskeyRegistrationDisabled
	}
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	r, err := a.registrant(ctx, step)
	if err != nil {
		return err
	}
	opts, c, err := a.Passkeys.BeginRegistration(step.Tenant, r)
	if err != nil {
		return err
	}
	if err := step.PutCeremony(c); err != nil {
		return err
	}
	step.Next = Passkey
	step.Output = passkey.Begun{Passkey: opts}
	return nil
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
	var in struct {
		Credential json.RawMessage `json:"credential"`
		Name       string          `json:"name"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return flows.Fail(err)
	}
	if _, err := flows.PasskeyName(in.Name); err != nil {
		return flows.Fail(err)
	}
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return err
	}
	r, err := a.registrant(ctx, step)
	if err != nil {
		return err
	}
	cred, err := a.Passkeys.FinishRegistration(ctx, step.Tenant, c, r, in.Credential, in.Name, step.Request.UserAgent)
	if err != nil {
		return flows.Fail(flows.ErrPasskeyRegistrationFailed)
	}
	cred.UserID = step.Context.UserID
	if err := step.Scope.Credentials().Create(ctx, cred); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			// Not Fail: a failed statement ends the transaction on
			// PostgreSQL, so nothing more may be saved in it.
			return flows.ErrPasskeyExists
		}
		return err
	}
	step.Next = flows.Done
	step.Output = Added{ID: cred.ID, Name: cred.Name}
	return nil
}
