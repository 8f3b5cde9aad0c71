package reverify

import (
	"context"
	"errors"
	"slices"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
)

// Begun is the output of begin: the factor chosen, with the passkey
// request options for passkey, or the masked number a code went to for
// sms.
type Begun struct {
	Factor  string           `json:"factor"`
	Passkey *passkey.Options `json:"passkey,omitempty"`
	SentTo  string           `json:"sent_to,omitempty"`
}

func (a *actions) begin(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Factor string `json:"factor"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	s, err := session(ctx, step)
	if err != nil {
		return err
	}
	factors, phone, err := Factors(ctx, step.Scope, a.Passkeys, step.Tenant, s.UserID)
	if err != nil {
		return err
	}
	if !slices.Contains(factors, in.Factor) {
		return flows.ErrMethodNotAvailable.WithField("factor", "This account cannot verify that way here. Choose another way to verify.")
	}
	// A new choice drops what an earlier begin left: its ceremony, its code.
	step.TakeCeremony()
	step.Context.CodeID = nil
	out := Begun{Factor: in.Factor}
	switch in.Factor {
	case FactorPasskey:
		creds, err := step.Scope.Credentials().ByUser(ctx, s.UserID, a.Passkeys.RelyingParty(step.Tenant).ID)
		if err != nil {
			return err
		}
		user, err := step.Scope.Users().ByID(ctx, s.UserID)
		if err != nil {
			return err
		}
		opts, c, err := a.Passkeys.BeginSignIn(step.Tenant, user, creds, "")
		if err != nil {
			return err
		}
		if err := step.PutCeremony(c); err != nil {
			return err
		}
		out.Passkey = opts
	case FactorSMS:
		code, err := a.SendCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, flows.CodeToSend{
			FlowID: step.Flow.ID, Purpose: PurposeReverify, Channel: db.ChannelSMS, Recipient: phone,
		})
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, FactorSMS, fe.Code)
		}
		if err != nil {
			return err
		}
		id := code.ID
		step.Context.CodeID = &id
		out.SentTo = flows.MaskPhone(phone)
	}
	step.Next = flows.State(in.Factor)
	step.Output = out
	return nil
}
