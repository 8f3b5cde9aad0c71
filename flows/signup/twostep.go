package signup

import (
	"context"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// twoStepEnable is "Enable 2-step verification": it leads into binding a
// factor. 2-step verification turns on only once one is confirmed.
func (a *actions) twoStepEnable(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if len(bindable(step.Tenant, step.Context.Bound)) == 0 {
		return flows.ErrMethodNotAvailable.WithField("", "There is no way to set up 2-step verification here. Skip this step.")
	}
	var out Finished
	if err := a.startBinding(ctx, step, &out); err != nil {
		return err
	}
	if out.TOTP != nil {
		step.Output = out.TOTP
	} else {
		step.Output = out.MFA
	}
	return nil
}

// twoStepSkip finishes without 2-step verification: user_controlled only.
func (a *actions) twoStepSkip(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if mandatory(step.Tenant) {
		return flows.ErrActionNotAllowed.WithField("", "This site requires 2-step verification. Set up a way to verify to finish.")
	}
	step.Next = flows.Done
	return nil
}

// mfaFinish ends binding after at least one factor.
func (a *actions) mfaFinish(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if len(step.Context.Bound) == 0 {
		return flows.ErrActionNotAllowed.WithField("", "Set up a way to verify first: an authenticator app or a text message.")
	}
	return a.finishMFA(ctx, step)
}

// factorBound records a confirmed factor, turns 2-step verification on,
// signs an Enrolling account in (the factor satisfies the policy now, so
// the session is issued here, with the factor in its amr, rather than after
// the backup codes: the user who leaves from then on is left where sign-in
// would have put them) and leads on: to the choice while the tenant enables
// another factor to bind, else to the backup codes.
func (a *actions) factorBound(ctx context.Context, step *flows.Step[Context], factor string) error {
	id := *step.Context.UserID
	step.Context.Bound = append(step.Context.Bound, factor)
	if err := step.Scope.Users().SetMFA(ctx, id, true); err != nil {
		return err
	}
	amr := flows.AMROTP
	if factor == tenants.FactorSMS {
		amr = flows.AMRSMS
	}
	if err := a.signIn(ctx, step, amr); err != nil {
		return err
	}
	if len(bindable(step.Tenant, step.Context.Bound)) > 0 {
		step.Next = MFAChoose
		step.Output = choice(step)
		return nil
	}
	return a.finishMFA(ctx, step)
}

// finishMFA gives the backup codes when the tenant enables them, else ends
// the flow.
func (a *actions) finishMFA(ctx context.Context, step *flows.Step[Context]) error {
	if !flows.FactorEnabled(step.Tenant, tenants.FactorBackupCodes) {
		step.Next = flows.Done
		return nil
	}
	codes, err := flows.IssueBackupCodes(ctx, step.Scope, *step.Context.UserID, step.Now)
	if err != nil {
		return err
	}
	step.Next = BackupCodes
	step.Output = BackupCodesOutput{BackupCodes: codes}
	return nil
}

func (a *actions) backupCodesAck(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	step.Next = flows.Done
	return nil
}
