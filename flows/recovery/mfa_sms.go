package recovery

import (
	"context"
	"errors"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// The SMS factor as the second proof: a code to the phone of the user's
// SMS factor (never a number the client names), on the user's factor
// limit and the code's own cap. It is not offered when the address proof
// was an SMS code to that same phone: both would prove one thing.

// FactorSMS is the SMS factor as the mfa output names it.
const FactorSMS = tenants.FactorSMS

// purposeMFA is the purpose of a code to the SMS factor's phone.
const purposeMFA = "mfa"

// smsCodeSent is the output of mfa.sms.send.
type smsCodeSent struct {
	// SentTo is the number, masked.
	SentTo string `json:"sent_to"`
}

// smsFactorPhone returns the phone of the user's SMS factor, when the
// tenant has SMS factors on, allows the number, and the address proof was
// not an SMS code to it; "" otherwise.
func smsFactorPhone(ctx context.Context, step *flows.Step[Context], user *db.User) (string, error) {
	if !flows.FactorEnabled(step.Tenant, tenants.FactorSMS) {
		return "", nil
	}
	f, err := step.Scope.SMSFactors().Get(ctx, user.ID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	c := step.Context
	if !step.Tenant.Settings.SMS.Allows(f.Phone) || (c.IdentifierKind == tenants.IdentifierPhone && c.Identifier == f.Phone) {
		return "", nil
	}
	return f.Phone, nil
}

// smsUser is the flow's user in state mfa, with the SMS factor's phone.
func (a *actions) smsUser(ctx context.Context, step *flows.Step[Context]) (*db.User, string, error) {
	c := step.Context
	if c.UserID == nil || !c.Address || c.Factor {
		return nil, "", flows.ErrActionNotAllowed
	}
	user, err := a.user(ctx, step)
	if err != nil {
		return nil, "", err
	}
	phone, err := smsFactorPhone(ctx, step, user)
	if err != nil {
		return nil, "", err
	}
	if phone == "" {
		return nil, "", flows.ErrMethodNotAvailable
	}
	return user, phone, nil
}

func (a *actions) mfaSMSSend(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	user, phone, err := a.smsUser(ctx, step)
	if err != nil {
		return err
	}
	code, err := a.SendCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: purposeMFA, Channel: db.ChannelSMS, Recipient: phone,
	})
	if err != nil {
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, ActionMFASMSSend, &user.ID, fe.Code)
		}
		return err
	}
	id := code.ID
	step.Context.MFACodeID = &id
	step.Output = smsCodeSent{SentTo: flows.MaskPhone(phone)}
	a.audit(ctx, step, ActionMFASMSSend, &user.ID, "code_sent")
	return nil
}

func (a *actions) mfaSMSVerify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	user, phone, err := a.smsUser(ctx, step)
	if err != nil {
		return err
	}
	c := step.Context
	if c.MFACodeID == nil {
		return flows.ErrActionNotAllowed.WithField("", "Send a code to your phone first.")
	}
	if in.Code == "" {
		return flows.ErrInvalidInput.WithField("code", "Enter the code we sent to your phone.")
	}
	if err := flows.CountFactorAttempt(ctx, step.Tx, step.Tenant.ID, user.ID, step.Now); err != nil {
		a.audit(ctx, step, ActionMFASMSVerify, &user.ID, flows.Public(err).Code)
		return flows.Fail(err)
	}
	_, err = flows.CheckCode(ctx, step.Scope, *c.MFACodeID, in.Code, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: purposeMFA, Channel: db.ChannelSMS, Recipient: phone,
	})
	if err != nil {
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, ActionMFASMSVerify, &user.ID, fe.Code)
		}
		return err
	}
	c.MFACodeID = nil
	c.Factor = true
	c.Proofs = append(c.Proofs, flows.AMRSMS)
	a.audit(ctx, step, ActionMFASMSVerify, &user.ID, "proved")
	return a.toPasskey(step)
}
