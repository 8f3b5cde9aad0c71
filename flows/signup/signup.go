// Package signup is sign-up by passkey: a new user gives an identifier and
// creates a passkey, which creates the account and signs it in.
//
// The machine (declared in Machine):
//
//	identify ──identify──▶ passkey        (registration options issued)
//	passkey  ──identify──▶ passkey        (a different identifier, new options)
//	passkey  ──passkey.finish──▶ done     (user, identifier, passkey and session created together)
//
// The fuller sign-up (verification codes, password, the passkey binding and
// 2-step prompts) builds on the same registration step.
package signup

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
)

// Kind is the flow kind.
const Kind = "sign_up"

// States.
const (
	Identify flows.State = "identify"
	Passkey  flows.State = "passkey"
)

// Actions.
const (
	ActionIdentify      = "identify"
	ActionPasskeyFinish = "passkey.finish"
)

// Context is the sign-up flow's stored context.
type Context struct {
	IdentifierKind string `json:"identifier_kind,omitempty"`
	Identifier     string `json:"identifier,omitempty"`
	// Handle is the new user's WebAuthn user handle, chosen once per flow.
	Handle []byte `json:"handle,omitempty"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the sign-up engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	return flows.NewEngine(d.DB, Machine(&actions{Deps: d}), d.Clock, d.Logger)
}

// Machine declares the sign-up flow.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Identify,
		TTL:   30 * time.Minute,
		Transitions: []flows.Transition{
			{Action: ActionIdentify, From: []flows.State{Identify, Passkey}, To: []flows.State{Passkey}},
			{Action: ActionPasskeyFinish, From: []flows.State{Passkey}, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[Context]{
			ActionIdentify:      a.identify,
			ActionPasskeyFinish: a.passkeyFinish,
		},
	}
}

type actions struct{ Deps }

func (a *actions) identify(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.AllowRegistration {
		return flows.ErrPasskeyRegistrationDisabled
	}
	var in struct {
		Identifier string `json:"identifier"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	kind, value, ok := flows.ParseIdentifier(in.Identifier)
	if !ok {
		return flows.ErrInvalidInput.WithField("identifier", "Enter an email address, a phone number starting with +, or a username.")
	}
	_, err := step.Scope.Users().ByIdentifier(ctx, kind, value)
	if err == nil {
		return flows.ErrIdentifierTaken.WithField("identifier", "")
	}
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	step.Context.IdentifierKind, step.Context.Identifier = kind, value
	if len(step.Context.Handle) == 0 {
		h := make([]byte, 32)
		_, _ = rand.Read(h)
		step.Context.Handle = h
	}
	opts, c, err := a.Passkeys.BeginRegistration(step.Tenant, passkey.Registrant{Handle: step.Context.Handle, Name: value})
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

func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Credential json.RawMessage `json:"credential"`
		Name       string          `json:"name"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return flows.Fail(err)
	}
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return err
	}
	reg := passkey.Registrant{Handle: step.Context.Handle, Name: step.Context.Identifier}
	cred, err := a.Passkeys.FinishRegistration(ctx, step.Tenant, c, reg, in.Credential, in.Name, step.Request.UserAgent)
	if err != nil {
		return flows.Fail(flows.ErrPasskeyRegistrationFailed)
	}

	// From here on every write is one unit: any error rolls all back.
	user := &db.User{ID: uuid.Must(uuid.NewV7()), WebAuthnHandle: step.Context.Handle, DisplayName: step.Context.Identifier}
	ident := &db.Identifier{Kind: step.Context.IdentifierKind, Value: step.Context.Identifier}
	if err := step.Scope.Users().Create(ctx, user, ident); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrIdentifierTaken
		}
		return err
	}
	cred.UserID = user.ID
	if err := step.Scope.Credentials().Create(ctx, cred); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrPasskeyExists
		}
		return err
	}
	s, err := flows.IssueSession(ctx, step.Scope, user.ID, []string{flows.AMRWebAuthn}, step.Request, step.Now)
	if err != nil {
		return err
	}
	step.Session = s
	step.Next = flows.Done
	step.Output = struct {
		UserID uuid.UUID `json:"user_id"`
	}{user.ID}
	return nil
}
