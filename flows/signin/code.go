package signin

import (
	"context"
	"errors"
	"slices"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// Sign-in by a code sent by email (method email_code, for an email
// identifier) or SMS (sms_code, for a phone number).
//
// code.send creates a db.Code (purpose sign_in, bound to the flow) for the
// identifier typed and, in the same transaction, enqueues the River job
// that makes the code's value and sends it; the value never appears in a
// response, the flow or a job's arguments. The flow keeps the code's id,
// so code.verify checks that code only: a code sent for another flow is a
// wrong code here.
//
// Unknown identifiers: code.send does exactly what it does for a known
// account — the same limits, a code row, a job, the same response — so
// neither the response nor its timing tells whether the account exists.
// The message does go out; whoever reads it controls the address, and
// code.verify then fails for every code, the right one included, exactly
// as a wrong code fails (invalid_code). A disabled account is treated the
// same way.
//
// Identifiers never proved: an account can hold an email address or phone
// number stored unverified (made where the tenant does not verify
// identifiers at sign-up, or before it did). Whoever made it never showed
// the address was theirs, and the account may hold a passkey or password
// they made, so a code to that address never signs in to it: the right
// code proves the address, the unverified claim is released (deleted from
// that account, which keeps its credentials; see flows.ProvedIdentifier),
// and code.verify answers invalid_code as for an unknown address. The
// address is then free: its holder signs up with it and gets an account of
// their own, and the claimant's passkey still opens only the claimant's
// account, now without the address. The cost is the other way round: a
// person who did make the account with their own unproved address cannot
// get back in by a code; their passkey or password still works. An
// identifier only counts as a way in once it is verified.
//
// amr (RFC 8176): an email code is "otp" (a one-time password), an SMS
// code "sms".
// The code's lifetime, attempts and send limits are flows.SendCode's.
const (
	CodeTTL                     = flows.CodeTTL
	CodeMaxAttempts             = flows.CodeMaxAttempts
	CodeSendWindow              = flows.CodeSendWindow
	CodeSendsPerRecipient       = flows.CodeSendsPerRecipient
	CodeSendsPerRecipientPerDay = flows.CodeSendsPerRecipientPerDay
	CodeSendsPerIP              = flows.CodeSendsPerIP
)

// Output of code.send.
type codeSent struct {
	// Channel is email or sms; SentTo is the identifier typed.
	Channel string `json:"channel"`
	SentTo  string `json:"sent_to"`
}

// codeMethod returns the method and channel for an identifier kind.
func codeMethod(kind string) (method, channel string, ok bool) {
	switch kind {
	case tenants.IdentifierEmail:
		return MethodEmailCode, db.ChannelEmail, true
	case tenants.IdentifierPhone:
		return MethodSMSCode, db.ChannelSMS, true
	}
	return "", "", false
}

func (a *actions) codeSend(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	c := step.Context
	method, channel, ok := codeMethod(c.IdentifierKind)
	if !ok || !slices.Contains(fallbackMethods(step.Tenant, c.IdentifierKind), method) {
		return flows.ErrMethodNotAvailable.WithField("", "Sign-in with a code is not available for this kind of account name. Choose another way to sign in.")
	}
	code, err := a.SendCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: "sign_in", Channel: channel, Recipient: c.Identifier,
	})
	var fe *flows.Error
	if errors.As(err, &fe) {
		a.audit(ctx, step, method, c.UserID, fe.Code)
	}
	if err != nil {
		return err
	}
	step.TakeCeremony()
	id := code.ID
	c.CodeID = &id
	step.Next = Code
	step.Output = codeSent{Channel: channel, SentTo: c.Identifier}
	a.audit(ctx, step, method, c.UserID, "code_sent")
	return nil
}

func (a *actions) codeVerify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	c := step.Context
	method, channel, ok := codeMethod(c.IdentifierKind)
	if !ok || c.CodeID == nil {
		return flows.ErrActionNotAllowed
	}
	if !slices.Contains(fallbackMethods(step.Tenant, c.IdentifierKind), method) {
		return flows.ErrMethodNotAvailable
	}
	wrong := func() error {
		a.audit(ctx, step, method, c.UserID, flows.ErrInvalidCode.Code)
		return flows.Fail(flows.ErrInvalidCode)
	}
	_, err := flows.CheckCode(ctx, step.Scope, *c.CodeID, in.Code, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: "sign_in", Channel: channel, Recipient: c.Identifier,
	})
	var fe *flows.Error
	if errors.As(err, &fe) {
		a.audit(ctx, step, method, c.UserID, fe.Code)
	}
	if err != nil {
		return err
	}
	// The code proved the address: an account that only claimed it gives
	// it up, and only the account holding it verified, the one identify
	// found, is signed in to.
	user, released, err := flows.ProvedIdentifier(ctx, step.Scope, c.IdentifierKind, c.Identifier)
	if released {
		a.audit(ctx, step, method, c.UserID, "unverified_identifier_released")
	}
	if errors.Is(err, db.ErrNotFound) {
		return wrong()
	}
	if err != nil {
		return err
	}
	if c.UserID == nil || user.ID != *c.UserID {
		return wrong()
	}
	if user.DisabledAt != nil {
		return wrong()
	}
	if user.SSO {
		a.audit(ctx, step, method, &user.ID, flows.ErrSSORequired.Code)
		return flows.Fail(ssoRequired(ctx, step, user.ID, ""))
	}
	c.CodeID = nil
	amr := flows.AMROTP
	if channel == db.ChannelSMS {
		amr = flows.AMRSMS
	}
	return a.firstFactorPassed(ctx, step, user, method, amr)
}
