package signin

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

// enrolSMSSend sends a "bind" code to the phone number typed, to prove it
// before it becomes the user's SMS factor (flows.Deps.SendBindCode: every
// limit on codes and the tenant's allowed countries).
func (a *actions) enrolSMSSend(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if _, err := a.enrolUser(ctx, step, FactorSMS); err != nil {
		return err
	}
	phone, codeID, err := a.SendBindCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, step.Flow.ID, in.Phone)
	if err != nil {
		return err
	}
	step.TakeCeremony()
	step.Context.EnrolPhone, step.Context.EnrolCodeID = phone, &codeID
	step.Next = MFAEnrollSMS
	step.Output = enrolCodeSent{Channel: db.ChannelSMS, SentTo: phone}
	return nil
}

// enrolSMSVerify proves the phone by its code (flows.BindSMSFactor, with
// the code's own cap on checks), stores it as the user's SMS factor and
// turns 2-step verification on.
func (a *actions) enrolSMSVerify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	user, err := a.enrolUser(ctx, step, FactorSMS)
	if err != nil {
		return err
	}
	c := step.Context
	if c.EnrolCodeID == nil {
		return flows.ErrActionNotAllowed
	}
	if err := flows.BindSMSFactor(ctx, step.Scope, user.ID, *c.EnrolCodeID, in.Code, step.Now, flows.BindCode(step.Flow.ID, c.EnrolPhone)); err != nil {
		a.auditRefusal(ctx, step, FactorSMS, user.ID, err)
		return err
	}
	if err := step.Scope.Users().SetMFA(ctx, user.ID, true); err != nil {
		return err
	}
	return a.enrolled(ctx, step, user.ID, FactorSMS, flows.AMRSMS)
}

// auditRefusal writes the audit line of a refused enrolment code.
func (a *actions) auditRefusal(ctx context.Context, step *flows.Step[Context], method string, userID uuid.UUID, err error) {
	var pe *flows.Error
	if errors.As(err, &pe) {
		a.audit(ctx, step, method, &userID, pe.Code)
	}
}
