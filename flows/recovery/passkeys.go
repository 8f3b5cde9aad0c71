package recovery

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
)

// The new passkey, the review of the old ones, and the end of the flow.

// toPasskey leads to the new passkey step. Its output says whether the
// tenant lets the person skip it (Recovery.AllowWithoutPasskey).
func (a *actions) toPasskey(step *flows.Step[Context]) error {
	step.Next = Passkey
	step.Output = passkeyStep{Next: "passkey", MaySkip: step.Tenant.Settings.Recovery.AllowWithoutPasskey}
	return nil
}

// passkeyStep is the output of a step that leads to the new passkey.
type passkeyStep struct {
	Next    string `json:"next"`
	MaySkip bool   `json:"may_skip"`
}

// registration registers the new passkey for the flow's user, excluding
// the passkeys the user has (an authenticator that still holds one says
// so: the person may not need to recover at all).
func (a *actions) registration(step *flows.Step[Context]) flows.PasskeyRegistration {
	return flows.PasskeyRegistration{
		Passkeys: a.Passkeys,
		Logger:   a.Logger,
		Registrant: func(ctx context.Context) (passkey.Registrant, error) {
			user, err := a.user(ctx, step)
			if err != nil {
				return passkey.Registrant{}, err
			}
			creds, err := step.Scope.Credentials().ByUser(ctx, user.ID, "")
			if err != nil {
				return passkey.Registrant{}, err
			}
			return passkey.Registrant{Handle: user.WebAuthnHandle, Name: user.DisplayName, Existing: creds}, nil
		},
		Owner: func(context.Context) (uuid.UUID, error) { return *step.Context.UserID, nil },
	}
}

func (a *actions) passkeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if step.Context.UserID == nil {
		return flows.ErrActionNotAllowed
	}
	return flows.BeginPasskeyRegistration(ctx, step, a.registration(step), Passkey)
}

func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	if step.Context.UserID == nil {
		return flows.ErrActionNotAllowed
	}
	cred, err := flows.FinishPasskeyRegistration(ctx, step, a.registration(step))
	if err != nil {
		return err
	}
	id := cred.ID
	step.Context.NewPasskey = &id
	a.audit(ctx, step, ActionPasskeyFinish, step.Context.UserID, "passkey_created")
	return a.review(ctx, step)
}

// PasskeyView is one of the user's passkeys on the review step.
type PasskeyView struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// New marks the passkey created in this flow, which cannot be removed
	// here.
	New bool `json:"new"`
}

// reviewed is the output of the review step.
type reviewed struct {
	Passkeys []PasskeyView `json:"passkeys"`
}

// review leads to the review step, listing the user's passkeys.
func (a *actions) review(ctx context.Context, step *flows.Step[Context]) error {
	creds, err := step.Scope.Credentials().ByUser(ctx, *step.Context.UserID, "")
	if err != nil {
		return err
	}
	out := reviewed{Passkeys: []PasskeyView{}}
	for _, c := range creds {
		out.Passkeys = append(out.Passkeys, PasskeyView{
			ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt,
			New: step.Context.NewPasskey != nil && c.ID == *step.Context.NewPasskey,
		})
	}
	step.Next = Review
	step.Output = out
	return nil
}

// passkeyRemove removes one of the user's old passkeys: never the new one,
// so the account always keeps a way to sign in.
func (a *actions) passkeyRemove(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		ID uuid.UUID `json:"id"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	c := step.Context
	if c.UserID == nil || c.NewPasskey == nil {
		return flows.ErrActionNotAllowed
	}
	if in.ID == *c.NewPasskey {
		return flows.ErrActionNotAllowed.WithField("id", "This is the passkey you just created; keep it to sign in.")
	}
	if _, err := step.Scope.Credentials().Get(ctx, *c.UserID, in.ID); errors.Is(err, db.ErrNotFound) {
		return errcode.ErrNotFound.WithField("id", "There is no such passkey on this account.")
	} else if err != nil {
		return err
	}
	if err := step.Scope.Credentials().Delete(ctx, *c.UserID, in.ID); err != nil {
		return err
	}
	step.Record(audit.Event{Type: audit.PasskeyRemoved, User: c.UserID, Target: in.ID.String()})
	a.audit(ctx, step, ActionPasskeyRemove, c.UserID, "passkey_removed")
	return a.review(ctx, step)
}

// signedIn is the output of finish.
type signedIn struct {
	UserID uuid.UUID `json:"user_id"`
}

// finish ends the recovery with a session: only with a new passkey, unless
// the tenant lets a recovery end without one.
func (a *actions) finish(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	c := step.Context
	if c.NewPasskey == nil && !step.Tenant.Settings.Recovery.AllowWithoutPasskey {
		a.audit(ctx, step, ActionFinish, c.UserID, flows.ErrActionNotAllowed.Code)
		return flows.ErrActionNotAllowed.WithField("", "Create a new passkey first: it is how you will sign in from now on.")
	}
	user, err := a.user(ctx, step)
	if err != nil {
		return err
	}
	amr := append([]string{}, c.Proofs...)
	if c.Address && c.Factor {
		amr = append(amr, flows.AMRMFA)
	}
	amr = append(amr, AMRRecovery)
	s, err := flows.IssueSession(ctx, step.Scope, user.ID, amr, step.Request, step.Now)
	if err != nil {
		return err
	}
	step.Session = s
	step.Next = flows.Done
	step.Output = signedIn{UserID: user.ID}
	step.Record(audit.Event{Type: audit.RecoveryUsed, User: &user.ID, Method: AMRRecovery, AMR: amr})
	a.audit(ctx, step, ActionFinish, &user.ID, "success")
	return nil
}
