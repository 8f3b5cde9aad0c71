package signup

import (
	"context"
	"slices"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// bindableNow refuses a factor the tenant does not enable or that this flow
// bound already.
func bindableNow(step *flows.Step[Context], factor string) error {
	if !flows.FactorEnabled(step.Tenant, factor) {
		return flows.ErrMethodNotAvailable.WithField("", "This way to verify is not available here. Choose another one.")
	}
	if slices.Contains(step.Context.Bound, factor) {
		return flows.ErrActionNotAllowed.WithField("", "This way to verify is already set up. Choose another one, or finish.")
	}
	return nil
}

// startTOTP makes a new unconfirmed authenticator-app secret for the
// flow's user and returns what the page shows.
func (a *actions) startTOTP(ctx context.Context, step *flows.Step[Context]) (*TOTPSetupOutput, error) {
	return flows.StartTOTPSetup(ctx, step.Scope, step.Tenant, *step.Context.UserID, step.Context.Identifier, step.Now)
}

// totpStart picks the authenticator app from the choice.
func (a *actions) totpStart(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if err := bindableNow(step, tenants.FactorTOTP); err != nil {
		return err
	}
	key, err := a.startTOTP(ctx, step)
	if err != nil {
		return err
	}
	step.Next = TOTPSetup
	step.Output = key
	return nil
}

// totpConfirm checks the first code of the new authenticator app with
// flows.VerifyTOTP (the user's one limit on factor attempts); a right one
// confirms it and turns 2-step verification on.
func (a *actions) totpConfirm(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	id, err := user(step)
	if err != nil {
		return err
	}
	if err := bindableNow(step, tenants.FactorTOTP); err != nil {
		return err
	}
	if err := flows.VerifyTOTP(ctx, step.Scope, id, in.Code, step.Now, flows.TOTPPending); err != nil {
		return err
	}
	return a.factorBound(ctx, step, tenants.FactorTOTP)
}
