package recovery

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// Ways to prove the account, as identify's output names them.
const (
	MethodCode       = "code"
	MethodBackupCode = "backup_code"
)

// identified is the output of identify: the same for every address of a
// kind, known or not.
type identified struct {
	// Channel is email or sms: where code.send sends the code.
	Channel string `json:"channel"`
	// Methods are the ways to prove the account.
	Methods []string `json:"methods"`
}

// channelOf returns the code channel of an identifier kind.
func channelOf(kind string) (string, bool) {
	switch kind {
	case tenants.IdentifierEmail:
		return db.ChannelEmail, true
	case tenants.IdentifierPhone:
		return db.ChannelSMS, true
	}
	return "", false
}

// methods lists the ways to prove an account of the tenant: a code always,
// a backup code when the tenant has backup codes on.
func methods(t *tenants.Tenant) []string {
	out := []string{MethodCode}
	if flows.FactorEnabled(t, tenants.FactorBackupCodes) {
		out = append(out, MethodBackupCode)
	}
	return out
}

func (a *actions) identify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Identifier string `json:"identifier"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	kind, value, ok := flows.ParseIdentifier(in.Identifier)
	channel, byCode := channelOf(kind)
	if !ok || !byCode {
		return flows.ErrInvalidInput.WithField("identifier", "Enter the email address or phone number of your account (a phone number starts with +).")
	}
	// Nothing is looked up: the answer is the same for any address.
	*step.Context = Context{IdentifierKind: kind, Identifier: value}
	step.Next = Proof
	step.Output = identified{Channel: channel, Methods: methods(step.Tenant)}
	return nil
}

// codeSent is the output of code.send.
type codeSent struct {
	Channel string `json:"channel"`
	SentTo  string `json:"sent_to"`
}

// sent is the code this flow sends or checks.
func sent(step *flows.Step[Context], channel string) flows.CodeToSend {
	return flows.CodeToSend{FlowID: step.Flow.ID, Purpose: PurposeRecovery, Channel: channel, Recipient: step.Context.Identifier}
}

func (a *actions) codeSend(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	c := step.Context
	channel, ok := channelOf(c.IdentifierKind)
	if !ok || c.Address {
		return flows.ErrActionNotAllowed
	}
	// Sent whether or not an account holds the address, with the same
	// limits (flows.SendCode): the answer tells nothing.
	code, err := a.SendCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, sent(step, channel))
	if err != nil {
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, ActionCodeSend, c.UserID, fe.Code)
		}
		return err
	}
	id := code.ID
	c.CodeID = &id
	step.Next = Code
	step.Output = codeSent{Channel: channel, SentTo: c.Identifier}
	a.audit(ctx, step, ActionCodeSend, c.UserID, "code_sent")
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
	channel, ok := channelOf(c.IdentifierKind)
	if !ok || c.CodeID == nil || c.Address {
		return flows.ErrActionNotAllowed
	}
	if _, err := flows.CheckCode(ctx, step.Scope, *c.CodeID, in.Code, step.Now, sent(step, channel)); err != nil {
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, ActionCodeVerify, c.UserID, fe.Code)
		}
		return err
	}
	// Only an account holding the address verified is recovered; an
	// unverified claim is released (flows.ProvedIdentifier).
	user, _, err := flows.ProvedIdentifier(ctx, step.Scope, c.IdentifierKind, c.Identifier)
	if errors.Is(err, db.ErrNotFound) {
		return a.wrong(ctx, step, ActionCodeVerify, nil)
	}
	if err != nil {
		return err
	}
	if !usable(user) || (c.UserID != nil && *c.UserID != user.ID) {
		return a.wrong(ctx, step, ActionCodeVerify, &user.ID)
	}
	c.CodeID = nil
	amr := flows.AMROTP
	if channel == db.ChannelSMS {
		amr = flows.AMRSMS
	}
	c.Address = true
	return a.proved(ctx, step, user, amr)
}

// usable reports whether user may be recovered here: enabled, and not
// an account that signs in by single sign-on.
func usable(user *db.User) bool { return user.DisabledAt == nil && !user.SSO }

// wrong answers a proof that names no account it may recover, exactly as a
// wrong code (no enumeration).
func (a *actions) wrong(ctx context.Context, step *flows.Step[Context], what string, user *uuid.UUID) error {
	a.audit(ctx, step, what, user, flows.ErrInvalidCode.Code)
	return flows.Fail(flows.ErrInvalidCode)
}

func (a *actions) backupCode(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	c := step.Context
	if c.Identifier == "" || c.Factor {
		return flows.ErrActionNotAllowed
	}
	if err := flows.FactorOn(step.Tenant, tenants.FactorBackupCodes); err != nil {
		return err
	}
	if in.Code == "" {
		return flows.ErrInvalidInput.WithField("code", "Enter one of your backup codes.")
	}
	// Counted per address typed before anything is looked up, so a known
	// and an unknown address run out of attempts alike.
	n, err := step.Scope.Hit(ctx, c.IdentifierKind+":"+c.Identifier+":recovery_backup", flows.FactorAttemptWindow, step.Now)
	if err != nil {
		return err
	}
	if n > flows.FactorAttemptsPerUser {
		a.audit(ctx, step, ActionBackupCode, c.UserID, flows.ErrTooManyAttempts.Code)
		return flows.Fail(flows.ErrTooManyAttempts)
	}
	user, err := step.Scope.Users().ByIdentifier(ctx, c.IdentifierKind, c.Identifier)
	if errors.Is(err, db.ErrNotFound) {
		return a.wrong(ctx, step, ActionBackupCode, nil)
	}
	if err != nil {
		return err
	}
	if !usable(user) || (c.UserID != nil && *c.UserID != user.ID) {
		return a.wrong(ctx, step, ActionBackupCode, &user.ID)
	}
	if err := flows.VerifyBackupCode(ctx, step.Scope, user.ID, in.Code, step.Now); err != nil {
		var fe *flows.Error
		if errors.As(err, &fe) {
			a.audit(ctx, step, ActionBackupCode, &user.ID, fe.Code)
		}
		return err
	}
	c.Factor = true
	return a.proved(ctx, step, user, flows.AMRBackupCode)
}

// secondFactors is the output of a proof that calls for another.
type secondFactors struct {
	// Next is what the person does next: "mfa" (Factors) or "code" (prove
	// the address).
	Next    string   `json:"next"`
	Factors []string `json:"factors,omitempty"`
	// Phone is the SMS factor's number, masked, when sms is among Factors.
	Phone string `json:"phone,omitempty"`
}

// proved records a passed proof (amr) of user and applies the MFA rule
// (see the package comment): on to the new passkey, to a second factor,
// or back to prove the address.
func (a *actions) proved(ctx context.Context, step *flows.Step[Context], user *db.User, amr string) error {
	c := step.Context
	id := user.ID
	c.UserID = &id
	c.Proofs = append(c.Proofs, amr)
	factors, sms, err := secondFactorsOf(ctx, step, user)
	if err != nil {
		return err
	}
	twoSteps := user.MFAEnabled || step.Tenant.Settings.MFA.Policy == tenants.MFAMandatory
	hasSecond := c.Factor || len(factors) > 0 || sms
	switch {
	case !twoSteps || !hasSecond || (c.Address && c.Factor):
		a.audit(ctx, step, "proof", &id, "proved")
		return a.toPasskey(step)
	case c.Factor:
		// A backup code first: the address is still to prove.
		step.Next = Proof
		step.Output = secondFactors{Next: MethodCode}
	case len(factors) == 0:
		// The only second factor is the SMS factor on the phone the
		// address code just went to: one phone cannot prove both.
		a.audit(ctx, step, "proof", &id, flows.ErrMethodNotAvailable.Code)
		return flows.Fail(flows.ErrMethodNotAvailable.WithField("", "Your 2-step verification sends its codes to this same phone, so it cannot be both proofs. Recover with your email address, or ask the administrator for a recovery link."))
	default:
		out := secondFactors{Next: "mfa", Factors: factors}
		if slices.Contains(factors, FactorSMS) {
			phone, err := smsFactorPhone(ctx, step, user)
			if err != nil {
				return err
			}
			out.Phone = flows.MaskPhone(phone)
		}
		step.Next = MFA
		step.Output = out
	}
	a.audit(ctx, step, "proof", &id, "second_proof_required")
	return nil
}

// secondFactorsOf lists user's second factors this flow checks that the
// tenant has on (totp, backup_code, sms; see smsFactorPhone), and whether
// the user has an SMS factor besides those listed.
func secondFactorsOf(ctx context.Context, step *flows.Step[Context], user *db.User) ([]string, bool, error) {
	var out []string
	if flows.FactorEnabled(step.Tenant, tenants.FactorTOTP) {
		f, err := step.Scope.TOTP().Get(ctx, user.ID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return nil, false, err
		case f.ConfirmedAt != nil:
			out = append(out, tenants.FactorTOTP)
		}
	}
	if flows.FactorEnabled(step.Tenant, tenants.FactorBackupCodes) {
		codes, err := step.Scope.BackupCodes().Unused(ctx, user.ID)
		if err != nil {
			return nil, false, err
		}
		if len(codes) > 0 {
			out = append(out, MethodBackupCode)
		}
	}
	phone, err := smsFactorPhone(ctx, step, user)
	if err != nil {
		return nil, false, err
	}
	if phone != "" {
		return append(out, FactorSMS), false, nil
	}
	_, err = step.Scope.SMSFactors().Get(ctx, user.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return out, false, nil
	case err != nil:
		return nil, false, err
	}
	return out, true, nil
}
