package reverify

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
)

// Verified is the output of a successful verify.
type Verified struct {
	Factor string `json:"factor"`
}

// amrOf is the amr value each factor adds to the session.
var amrOf = map[string]string{
	FactorPasskey:    flows.AMRWebAuthn,
	FactorTOTP:       flows.AMROTP,
	FactorSMS:        flows.AMRSMS,
	FactorBackupCode: flows.AMRBackupCode,
}

func (a *actions) verify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Credential json.RawMessage `json:"credential"`
		Code       string          `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	factor := string(step.Flow.State)
	var ceremony *passkey.Ceremony
	if factor == FactorPasskey {
		// The ceremony is used once, whatever follows.
		c, err := step.TakePasskeyCeremony()
		if err != nil {
			return err
		}
		ceremony = c
	}
	s, err := session(ctx, step)
	if err != nil {
		return err
	}
	if factor != FactorPasskey && in.Code == "" {
		return flows.ErrInvalidInput.WithField("code", "Enter the code.")
	}
	if err := flows.CountFactorAttempt(ctx, step.Tx, step.Tenant.ID, s.UserID, step.Now); err != nil {
		a.audit(ctx, step, factor, flows.Public(err).Code)
		if errors.Is(err, flows.ErrTooManyAttempts) {
			return flows.Fail(err)
		}
		return err
	}
	if err := a.check(ctx, step, factor, ceremony, in.Credential, in.Code); err != nil {
		var pe *flows.Error
		if !errors.As(err, &pe) {
			return err
		}
		// A wrong answer: commit the attempt counted (and the ceremony or
		// code used) and leave the session unverified.
		a.audit(ctx, step, factor, pe.Code)
		if flows.Failed(err) {
			return err
		}
		return flows.Fail(err)
	}
	if err := flows.MarkVerified(ctx, step.Scope, s, amrOf[factor], step.Now); err != nil {
		return err
	}
	a.audit(ctx, step, factor, "success")
	step.Next = flows.Done
	step.Output = Verified{Factor: factor}
	return nil
}

// check checks the answer for factor with the checkers the sign-in uses;
// a wrong answer is a public error.
func (a *actions) check(ctx context.Context, step *flows.Step[Context], factor string, ceremony *passkey.Ceremony, credential json.RawMessage, code string) error {
	uid := step.Context.UserID
	switch factor {
	case FactorPasskey:
		cred, err := a.Passkeys.VerifySignIn(ctx, step.Tenant, step.Scope, ceremony, credential)
		if err != nil || cred.UserID != uid {
			return flows.ErrPasskeyFailed
		}
		return step.Scope.Credentials().RecordSignIn(ctx, cred)
	case FactorTOTP:
		return flows.CheckTOTP(ctx, step.Scope, uid, code, step.Now)
	case FactorBackupCode:
		return flows.CheckBackupCode(ctx, step.Scope, uid, code, step.Now)
	case FactorSMS:
		if step.Context.CodeID == nil {
			return flows.ErrCodeExpired
		}
		f, err := step.Scope.SMSFactors().Get(ctx, uid)
		if errors.Is(err, db.ErrNotFound) {
			return flows.ErrInvalidCode
		}
		if err != nil {
			return err
		}
		_, err = flows.CheckCode(ctx, step.Scope, *step.Context.CodeID, code, step.Now, flows.CodeToSend{
			FlowID: step.Flow.ID, Purpose: PurposeReverify, Channel: db.ChannelSMS, Recipient: f.Phone,
		})
		return err
	}
	return flows.ErrActionNotAllowed
}
