package recovery

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// The second proof the MFA rule asks for after the address code: the
// authenticator app or a backup code, each checked by the one check every
// door calls (flows.VerifyTOTP, flows.VerifyBackupCode), on the user's
// factor limit.

func (a *actions) mfaTOTP(ctx context.Context, step *flows.Step[Context]) error {
	return a.mfaCode(ctx, step, ActionMFATOTP, tenants.FactorTOTP, flows.AMROTP, func(userID uuid.UUID, code string) error {
		return flows.VerifyTOTP(ctx, step.Scope, userID, code, step.Now, flows.TOTPConfirmed)
	})
}

func (a *actions) mfaBackupCode(ctx context.Context, step *flows.Step[Context]) error {
	return a.mfaCode(ctx, step, ActionMFABackupCode, tenants.FactorBackupCodes, flows.AMRBackupCode, func(userID uuid.UUID, code string) error {
		return flows.VerifyBackupCode(ctx, step.Scope, userID, code, step.Now)
	})
}

// mfaCode runs a second factor the person types ({"code"}): the flow's
// user, who proved the address; the tenant's factor on; verify; then the
// new passkey.
func (a *actions) mfaCode(ctx context.Context, step *flows.Step[Context], what, factor, amr string, verify func(uuid.UUID, string) error) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	c := step.Context
	if c.UserID == nil || !c.Address || c.Factor {
		return flows.ErrActionNotAllowed
	}
	if err := flows.FactorOn(step.Tenant, factor); err != nil {
		return err
	}
	if in.Code == "" {
		return flows.ErrInvalidInput.WithField("code", "Enter the code.")
	}
	user, err := a.user(ctx, step)
	if err != nil {
		return err
	}
	if err := verify(user.ID, in.Code); err != nil {
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, what, &user.ID, fe.Code)
		}
		return err
	}
	c.Factor = true
	c.Proofs = append(c.Proofs, amr)
	a.audit(ctx, step, what, &user.ID, "proved")
	return a.toPasskey(step)
}

// user returns the flow's user, still enabled and not single sign-on.
func (a *actions) user(ctx context.Context, step *flows.Step[Context]) (*db.User, error) {
	if step.Context.UserID == nil {
		return nil, flows.ErrActionNotAllowed
	}
	user, err := step.Scope.Users().ByID(ctx, *step.Context.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, flows.ErrFlowNotFound
	}
	if err != nil {
		return nil, err
	}
	if !usable(user) {
		return nil, flows.Fail(flows.ErrInvalidCode)
	}
	return user, nil
}
