package signin

import (
	"context"
	"errors"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// An SMS code as the second factor.
//
// mfa.sms.send sends a code (purpose mfa, bound to the flow) to the user's
// verified SMS factor phone, the only number it ever sends to: the request
// names no number. The response shows the number masked. mfa.sms.verify
// checks that code only, against the number it went to, so a code sent
// before the user's number changed, or for another flow or purpose, is a
// wrong code here. Both go through flows.SendCode and flows.CheckCode, with
// their limits (sends per number, per IP and per tenant; five checks per
// code; ten minutes); each check also counts as a second-factor attempt
// of the user (MFAAttemptsPerUser).

// PurposeMFA is the purpose of a code sent as a second factor.
const PurposeMFA = "mfa"

var errNoSMSFactor = errors.New("no SMS factor")

// smsFactorPhone returns the user's SMS factor number when the tenant
// enables the sms factor and it may serve after firstFactor (see
// usableFactors), or errNoSMSFactor.
func smsFactorPhone(ctx context.Context, step *flows.Step[Context], user *db.User, firstFactor string) (string, error) {
	if !flows.FactorEnabled(step.Tenant, tenants.FactorSMS) || firstFactor == flows.AMRSMS {
		return "", errNoSMSFactor
	}
	f, err := step.Scope.SMSFactors().Get(ctx, user.ID)
	if errors.Is(err, db.ErrNotFound) {
		return "", errNoSMSFactor
	}
	if err != nil {
		return "", err
	}
	return f.Phone, nil
}

// smsFactor returns the number of the flow user's SMS factor for the mfa
// SMS actions, or the public error that says why there is none.
func (a *actions) smsFactor(ctx context.Context, step *flows.Step[Context], user *db.User) (string, error) {
	if err := flows.FactorOn(step.Tenant, tenants.FactorSMS); err != nil {
		return "", err
	}
	phone, err := smsFactorPhone(ctx, step, user, step.Context.FirstFactor)
	if errors.Is(err, errNoSMSFactor) {
		return "", flows.ErrMethodNotAvailable.WithField("", "This account has no phone number for 2-step verification here. Try another method to verify.")
	}
	return phone, err
}

// smsCodeSent is the output of mfa.sms.send.
type smsCodeSent struct {
	Channel string `json:"channel"`
	// SentTo is the number, masked.
	SentTo string `json:"sent_to"`
}

func (a *actions) mfaSMSSend(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	user, err := a.mfaUser(ctx, step)
	if err != nil {
		return err
	}
	phone, err := a.smsFactor(ctx, step, user)
	if err != nil {
		return err
	}
	code, err := a.SendCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: PurposeMFA, Channel: db.ChannelSMS, Recipient: phone,
	})
	if errors.Is(err, flows.ErrPhoneNotAllowed) {
		err = flows.ErrPhoneNotAllowed.WithField("", "Codes cannot be sent by SMS to this account's phone number here. Try another method to verify.")
	}
	var fe *flows.Error
	if errors.As(err, &fe) {
		a.audit(ctx, step, FactorSMS, &user.ID, fe.Code)
	}
	if err != nil {
		return err
	}
	id := code.ID
	step.Context.MFACodeID = &id
	step.Next = MFA
	step.Output = smsCodeSent{Channel: db.ChannelSMS, SentTo: flows.MaskPhone(phone)}
	a.audit(ctx, step, FactorSMS, &user.ID, "code_sent")
	return nil
}

func (a *actions) mfaSMSVerify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	user, err := a.mfaUser(ctx, step)
	if err != nil {
		return err
	}
	phone, err := a.smsFactor(ctx, step, user)
	if err != nil {
		return err
	}
	c := step.Context
	if c.MFACodeID == nil {
		return flows.ErrActionNotAllowed.WithField("", "No code was sent for this sign-in yet. Send a code to your phone first.")
	}
	if in.Code == "" {
		return flows.ErrInvalidInput.WithField("code", "Enter the code we sent to your phone.")
	}
	if err := a.mfaAttempt(ctx, step, user, FactorSMS); err != nil {
		return err
	}
	_, err = flows.CheckCode(ctx, step.Scope, *c.MFACodeID, in.Code, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: PurposeMFA, Channel: db.ChannelSMS, Recipient: phone,
	})
	var fe *flows.Error
	if errors.As(err, &fe) {
		a.audit(ctx, step, FactorSMS, &user.ID, fe.Code)
	}
	if err != nil {
		return err
	}
	c.MFACodeID = nil
	return a.signIn(ctx, step, user.ID, FactorSMS, secondAMR(step, flows.AMRSMS)...)
}
