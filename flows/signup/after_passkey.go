package signup

import (
	"context"
	"slices"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// afterPasskey decides what follows the passkey step (passkey first, or the
// prompt) and sets step.Next and step.Output. created says whether the
// user created a passkey.
func (a *actions) afterPasskey(ctx context.Context, step *flows.Step[Context], created bool) error {
	out := Finished{UserID: *step.Context.UserID}
	mfa := step.Tenant.Settings.MFA
	factors := bindable(step.Tenant, step.Context.Bound)
	switch {
	case len(factors) == 0:
		// With the mandatory policy and no factor but a passkey, the
		// passkey just created is the binding.
		factor := ""
		if created {
			factor = flows.AMRWebAuthn
		}
		if err := a.signIn(ctx, step, factor); err != nil {
			return err
		}
		step.Next = flows.Done
	case mandatory(step.Tenant):
		out.TwoStep = &TwoStepPrompt{Required: true}
		if err := a.startBinding(ctx, step, &out); err != nil {
			return err
		}
	case created && mfa.PromptAtSignUp:
		step.Next = TwoStep
		out.TwoStep = &TwoStepPrompt{Required: false}
	default:
		if err := a.signIn(ctx, step, ""); err != nil {
			return err
		}
		step.Next = flows.Done
	}
	step.Output = out
	return nil
}

// startBinding leads into binding a factor: straight to the authenticator
// app when it is the only factor, else to the choice.
func (a *actions) startBinding(ctx context.Context, step *flows.Step[Context], out *Finished) error {
	factors := bindable(step.Tenant, step.Context.Bound)
	if slices.Equal(factors, []string{tenants.FactorTOTP}) {
		key, err := a.startTOTP(ctx, step)
		if err != nil {
			return err
		}
		step.Next = TOTPSetup
		out.TOTP = key
		return nil
	}
	step.Next = MFAChoose
	out.MFA = choice(step)
	return nil
}

// choice is what mfa_choose shows now.
func choice(step *flows.Step[Context]) *FactorChoice {
	return &FactorChoice{
		Factors:  bindable(step.Tenant, step.Context.Bound),
		Bound:    append([]string{}, step.Context.Bound...),
		Required: mandatory(step.Tenant),
	}
}
