package signup

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/sesame-id/sesame/db"
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
	if !step.Tenant.Settings.Passkeys.AllowRegistration {
		return flows.ErrPasskeyRegistrationDisabled
	}
	existing, err := step.Scope.Credentials().ByUser(ctx, id, "")
	if err != nil {
		return err
	}
	opts, c, err := a.Passkeys.BeginRegistration(step.Tenant, passkey.Registrant{Handle: step.Context.Handle, Name: step.Context.Identifier, Existing: existing})
	if err != nil {
		return err
	}
	if err := step.PutCeremony(c); err != nil {
		return err
	}
	step.Next = PasskeyPrompt
	step.Output = passkey.Begun{Passkey: opts}
	return nil
}

// promptFinish stores the new account's passkey. It does not turn 2-step
// verification on; it may lead to the offer to.
func (a *actions) promptFinish(ctx context.Context, step *flows.Step[Context]) error {
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
	// Someone else's request leaves the flow as it was; from here the
	// ceremony is used once, whatever follows.
	id, err := user(step)
	if err != nil {
		return err
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
	cred.UserID = id
	if err := step.Scope.Credentials().Create(ctx, cred); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrPasskeyExists
		}
		return err
	}
	step.Context.PasskeyCreated = true
	return a.afterPasskey(ctx, step, true)
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
