package signup

import (
	"context"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// smsSend sends a "bind" code to the phone number typed, to prove it
// before it becomes the user's SMS factor. flows.SendCode applies every
// limit and the tenant's allowed countries.
func (a *actions) smsSend(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if err := bindableNow(step, tenants.FactorSMS); err != nil {
		return err
	}
	phone, codeID, err := a.SendBindCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, step.Flow.ID, in.Phone)
	if err != nil {
		return err
	}
	step.Context.SMSPhone, step.Context.SMSCodeID = phone, &codeID
	step.Next = SMSVerify
	step.Output = CodeSent{Channel: db.ChannelSMS, SentTo: phone}
	return nil
}

// smsVerify proves the phone by its code, stores it as the user's SMS
// factor and turns 2-step verification on.
func (a *actions) smsVerify(ctx context.Context, step *flows.Step[Context]) error {
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
	if err := bindableNow(step, tenants.FactorSMS); err != nil {
		return err
	}
	c := step.Context
	if c.SMSCodeID == nil {
		return flows.ErrActionNotAllowed
	}
	if err := flows.BindSMSFactor(ctx, step.Scope, id, *c.SMSCodeID, in.Code, step.Now, flows.BindCode(step.Flow.ID, c.SMSPhone)); err != nil {
		return err
	}
	c.SMSCodeID = nil
	return a.factorBound(ctx, step, tenants.FactorSMS)
}
