package signin

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/tenants"
)

// Second factors, as the mfa output names them and in the order offered:
// a passkey first, the recommended one, then an authenticator app, an SMS
// code and a backup code.
const (
	FactorWebAuthn   = tenants.FactorWebAuthn
	FactorTOTP       = tenants.FactorTOTP
	FactorSMS        = tenants.FactorSMS
	FactorBackupCode = "backup_code" // tenants.FactorBackupCodes
)

// Limit on second-factor attempts, per user, counted before each check: a
// six-digit code must not be guessable in the flow's lifetime. The count is
// shared with re-verification and enrolment (flows.CountFactorAttempt,
// which flows.VerifyTOTP calls).
const (
	// MFAWindow is the fixed window of the limit.
	MFAWindow = flows.FactorAttemptWindow
	// MFAAttemptsPerUser is how many second-factor attempts (passkey
	// answers, TOTP, SMS and backup codes together) one user gets per
	// window.
	MFAAttemptsPerUser = flows.FactorAttemptsPerUser
)

// mfaNeeded is the output of a first factor that calls for a second one.
type mfaNeeded struct {
	// Factors are the user's usable second factors, the recommended one
	// (webauthn) first.
	Factors []string `json:"factors"`
	// Phone is the SMS factor's number, masked ("+1 ••• ••• 0123"), when
	// sms is among Factors.
	Phone string `json:"phone,omitempty"`
}

// usableFactors lists user's second factors that the tenant has enabled,
// in the order offered: webauthn when the user has a passkey under the
// tenant's RP ID, totp when the user's authenticator app is confirmed, sms
// when the user has a verified phone for it that the tenant's SMS policy
// allows, backup_code when unused codes are left.
//
// sms is not offered after an SMS code as the first factor (firstFactor,
// an amr value): both would prove the same thing, a phone that receives
// texts.
func (a *actions) usableFactors(ctx context.Context, step *flows.Step[Context], user *db.User, firstFactor string) (*mfaNeeded, error) {
	out := &mfaNeeded{Factors: []string{}}
	if flows.FactorEnabled(step.Tenant, tenants.FactorWebAuthn) {
		creds, err := step.Scope.Credentials().ByUser(ctx, user.ID, a.Passkeys.RelyingParty(step.Tenant).ID)
		if err != nil {
			return nil, err
		}
		if len(creds) > 0 {
			out.Factors = append(out.Factors, FactorWebAuthn)
		}
	}
	if flows.FactorEnabled(step.Tenant, tenants.FactorTOTP) {
		f, err := step.Scope.TOTP().Get(ctx, user.ID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return nil, err
		case f.ConfirmedAt != nil:
			out.Factors = append(out.Factors, FactorTOTP)
		}
	}
	phone, err := smsFactorPhone(ctx, step, user, firstFactor)
	switch {
	case errors.Is(err, errNoSMSFactor):
	case err != nil:
		return nil, err
	case !step.Tenant.Settings.SMS.Allows(phone):
		// The tenant sends no SMS to this number's country any more:
		// offering it would only lead to a refusal (mfa.sms.send says why).
	default:
		out.Factors = append(out.Factors, FactorSMS)
		out.Phone = flows.MaskPhone(phone)
	}
	if flows.FactorEnabled(step.Tenant, tenants.FactorBackupCodes) {
		codes, err := step.Scope.BackupCodes().Unused(ctx, user.ID)
		if err != nil {
			return nil, err
		}
		if len(codes) > 0 {
			out.Factors = append(out.Factors, FactorBackupCode)
		}
	}
	return out, nil
}

// mfaUser returns the flow's user, who passed the first factor (a password
// or a code). The engine only runs the mfa actions in state mfa, which
// only a right first factor leads to; this checks it again.
func (a *actions) mfaUser(ctx context.Context, step *flows.Step[Context]) (*db.User, error) {
	c := step.Context
	if c.FirstFactor == "" || c.UserID == nil {
		return nil, flows.ErrActionNotAllowed
	}
	user, err := step.Scope.Users().ByID(ctx, *c.UserID)
	if err != nil {
		return nil, err
	}
	// An SSO user's first factor is only ever their organization's.
	if user.DisabledAt != nil || (user.SSO && c.FirstFactor != federation.AMR) {
		return nil, flows.Fail(flows.ErrInvalidCredentials)
	}
	return user, nil
}

// mfaAttempt counts one second-factor attempt by user.
func (a *actions) mfaAttempt(ctx context.Context, step *flows.Step[Context], user *db.User, method string) error {
	err := flows.CountFactorAttempt(ctx, step.Tx, step.Tenant.ID, user.ID, step.Now)
	if errors.Is(err, flows.ErrTooManyAttempts) {
		a.audit(ctx, step, method, &user.ID, flows.ErrTooManyAttempts.Code)
		return flows.Fail(flows.ErrTooManyAttempts)
	}
	return err
}

func (a *actions) mfaPasskeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	user, err := a.mfaUser(ctx, step)
	if err != nil {
		return err
	}
	if err := flows.FactorOn(step.Tenant, tenants.FactorWebAuthn); err != nil {
		return err
	}
	opts, err := a.beginForUser(ctx, step, user)
	if errors.Is(err, errNoPasskey) {
		return flows.ErrMethodNotAvailable.WithField("", "This account has no passkey here. Try another method to verify.")
	}
	if err != nil {
		return err
	}
	step.Output = passkey.Begun{Passkey: opts}
	return nil
}

func (a *actions) mfaPasskeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return flows.Fail(err)
	}
	// The ceremony is used once, whatever follows.
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return err
	}
	user, err := a.mfaUser(ctx, step)
	if err != nil {
		return failed(err)
	}
	if err := flows.FactorOn(step.Tenant, tenants.FactorWebAuthn); err != nil {
		return flows.Fail(err)
	}
	if err := a.mfaAttempt(ctx, step, user, FactorWebAuthn); err != nil {
		return err
	}
	cred, err := a.Passkeys.VerifySignIn(ctx, step.Tenant, step.Scope, c, in.Credential)
	if err != nil || cred.UserID != user.ID {
		a.audit(ctx, step, FactorWebAuthn, &user.ID, flows.ErrPasskeyFailed.Code)
		return flows.Fail(flows.ErrPasskeyFailed)
	}
	if err := step.Scope.Credentials().RecordSignIn(ctx, cred); err != nil {
		return err
	}
	return a.signIn(ctx, step, user.ID, FactorWebAuthn, secondAMR(step, flows.AMRWebAuthn)...)
}

func (a *actions) mfaTOTP(ctx context.Context, step *flows.Step[Context]) error {
	return a.mfaCode(ctx, step, FactorTOTP, tenants.FactorTOTP, flows.AMROTP, func(userID uuid.UUID, code string) error {
		return flows.VerifyTOTP(ctx, step.Scope, userID, code, step.Now, flows.TOTPConfirmed)
	})
}

func (a *actions) mfaBackupCode(ctx context.Context, step *flows.Step[Context]) error {
	return a.mfaCode(ctx, step, FactorBackupCode, tenants.FactorBackupCodes, flows.AMRBackupCode, func(userID uuid.UUID, code string) error {
		return flows.VerifyBackupCode(ctx, step.Scope, userID, code, step.Now)
	})
}

// mfaCode runs a second factor the user types ({"code"}) as method: the
// flow's user, the tenant's factor turned on, then verify (a flows.Verify…
// check, which counts the attempt on the user's one limit), an audit line
// for a refusal, and the session with amr.
func (a *actions) mfaCode(ctx context.Context, step *flows.Step[Context], method, factor, amr string, verify func(userID uuid.UUID, code string) error) error {
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
	if err := flows.FactorOn(step.Tenant, factor); err != nil {
		return err
	}
	err = verify(user.ID, in.Code)
	var pe *flows.Error
	if errors.As(err, &pe) {
		a.audit(ctx, step, method, &user.ID, pe.Code)
		return flows.Fail(pe)
	}
	if err != nil {
		return err
	}
	return a.signIn(ctx, step, user.ID, method, secondAMR(step, amr)...)
}

// failed makes err a flows.Fail unless it is one already, so that a
// consumed ceremony stays consumed.
func failed(err error) error {
	var pe *flows.Error
	if errors.As(err, &pe) {
		return flows.Fail(err)
	}
	return err
}

// secondAMR is the amr of a session after the second factor amr: the
// flow's first factor, the second (once, if both are otp) and mfa.
func secondAMR(step *flows.Step[Context], amr string) []string {
	out := []string{step.Context.FirstFactor}
	if amr != out[0] {
		out = append(out, amr)
	}
	return append(out, flows.AMRMFA)
}
