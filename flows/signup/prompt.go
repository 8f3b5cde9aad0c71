package signup

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/tenants"
)

// promptBegin starts creating a passkey for the new account.
func (a *actions) promptBegin(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	id, err := user(step)
	if err != nil {
		return err
	}
	return flows.BeginPasskeyRegistration(ctx, step, a.promptRegistration(step, id, true), PasskeyPrompt)
}

// promptFinish stores the new account's passkey. It does not turn 2-step
// verification on; it may lead to the offer to.
func (a *actions) promptFinish(ctx context.Context, step *flows.Step[Context]) error {
	// Someone else's request leaves the flow, and its ceremony, as they
	// were; from here the ceremony is used once, whatever follows.
	id, err := user(step)
	if err != nil {
		return err
	}
	if _, err := flows.FinishPasskeyRegistration(ctx, step, a.promptRegistration(step, id, false)); err != nil {
		return err
	}
	step.Context.PasskeyCreated = true
	return a.afterPasskey(ctx, step, true)
}

// promptRegistration registers a passkey for the new account id, named
// by the flow's handle and identifier; exclude lists the account's
// passkeys in the options (begin).
func (a *actions) promptRegistration(step *flows.Step[Context], id uuid.UUID, exclude bool) flows.PasskeyRegistration {
	c := step.Context
	return flows.PasskeyRegistration{
		Passkeys: a.Passkeys,
		Logger:   a.Logger,
		Registrant: func(ctx context.Context) (passkey.Registrant, error) {
			r := passkey.Registrant{Handle: c.Handle, Name: c.Identifier}
			if !exclude {
				return r, nil
			}
			existing, err := step.Scope.Credentials().ByUser(ctx, id, "")
			r.Existing = existing
			return r, err
		},
		Owner:  func(context.Context) (uuid.UUID, error) { return id, nil },
		SignUp: true,
	}
}

// promptSkip goes on without a passkey: never to "Turn on 2-step
// verification", which follows only a passkey; into binding a factor with
// the mandatory policy.
func (a *actions) promptSkip(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	mfa := step.Tenant.Settings.MFA
	if mandatory(step.Tenant) && len(bindable(step.Tenant, nil)) == 0 && slices.Contains(mfa.Factors, tenants.FactorWebAuthn) {
		return flows.ErrActionNotAllowed.WithField("", "This site requires 2-step verification, and a passkey is the way to set it up here. Create a passkey to finish.")
	}
	step.TakeCeremony()
	return a.afterPasskey(ctx, step, false)
}
