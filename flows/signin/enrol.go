package signin

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// Enrolment at sign-in: under the mandatory policy, a user with no second
// factor at all who passed a first factor other than a passkey sets one up
// before the session. Decisions:
//
//   - Only a user who never turned 2-step verification on and has no
//     usable factor is led here (firstFactorPassed). A user with 2-step on
//     whose factors the tenant no longer offers is refused with
//     mfa_enrollment_required as before: letting a first factor alone set
//     up a new second factor would take the place of the one they had.
//   - The flow is the only credential until the end: no session exists in
//     the enrolment states, and only the enrolment actions, which run in no
//     other state, lead from them (nothing leads back to identify, so the
//     flow's user cannot be swapped). The flow's TTL bounds the enrolment.
//   - Every enrolment action checks again that the user has no usable
//     factor (enrolUser): once one is set up, by this flow or another, the
//     account signs in with it, and a second enrolment on a first factor
//     alone is refused.
//   - The factors offered are those the tenant enables that can be set up
//     here (enrolFactors): a passkey (webauthn) where the tenant counts it
//     as a factor and lets users create passkeys, an authenticator app, and
//     SMS, except after an SMS code as the first factor (both would prove
//     one phone). With none, mfa_enrollment_required stays the answer.
//   - Codes are checked by the rules every door shares (flows.VerifyTOTP
//     with TOTPPending, flows.BindSMSFactor): one per-user limit on factor
//     attempts, a code used once. A confirmed app or a proved phone turns
//     2-step verification on; a passkey counts as a factor by existing.
//   - Then come the backup codes when the tenant enables them (shown once),
//     and only their acknowledgement issues the session; without them the
//     factor's confirmation does. The session's amr is the first factor's,
//     the new factor's (otp, sms or webauthn) and mfa.

// Enrolment states.
const (
	// MFAEnroll offers the factors the user may set up.
	MFAEnroll flows.State = "mfa_enroll"
	// MFAEnrollTOTP shows the new authenticator app's key and waits for
	// its first code.
	MFAEnrollTOTP flows.State = "mfa_enroll_totp"
	// MFAEnrollSMS waits for the code sent to the phone being set up.
	MFAEnrollSMS flows.State = "mfa_enroll_sms"
	// MFAEnrollBackupCodes shows the new backup codes once.
	MFAEnrollBackupCodes flows.State = "mfa_enroll_backup_codes"
)

// Enrolment actions.
const (
	ActionEnrollChoose         = "mfa_enroll.choose"
	ActionEnrollTOTPStart      = "mfa_enroll.totp.start"
	ActionEnrollTOTPConfirm    = "mfa_enroll.totp.confirm"
	ActionEnrollSMSSend        = "mfa_enroll.sms.send"
	ActionEnrollSMSVerify      = "mfa_enroll.sms.verify"
	ActionEnrollPasskeyBegin   = "mfa_enroll.passkey.begin"
	ActionEnrollPasskeyFinish  = "mfa_enroll.passkey.finish"
	ActionEnrollBackupCodesAck = "mfa_enroll.backup_codes.ack"
)

// enrolNeeded is the output that leads to mfa_enroll.
type enrolNeeded struct {
	// Enroll are the factors the user may set up, the recommended one
	// (webauthn) first.
	Enroll []string `json:"enroll"`
}

// enrolCodeSent is the output of mfa_enroll.sms.send.
type enrolCodeSent struct {
	Channel string `json:"channel"`
	SentTo  string `json:"sent_to"`
}

// enrolBackupCodes carries the new backup codes, shown this once.
type enrolBackupCodes struct {
	BackupCodes []string `json:"backup_codes"`
}

// enrolFactors lists the factors a user may set up at sign-in after the
// first factor amr: webauthn first when the tenant counts a passkey as a
// factor and lets users create one, then totp and sms in the tenant's
// order (no sms after an SMS code).
func enrolFactors(t *tenants.Tenant, amr string) []string {
	out := []string{}
	if flows.FactorEnabled(t, tenants.FactorWebAuthn) && t.Settings.Passkeys.AllowRegistration {
		out = append(out, FactorWebAuthn)
	}
	for _, f := range flows.BindableFactors(t, nil) {
		if f == FactorSMS && amr == flows.AMRSMS {
			continue
		}
		out = append(out, f)
	}
	return out
}

// toEnrol leads a user with no second factor from the first factor amr to
// mfa_enroll when the mandatory policy applies to them and the tenant
// offers a factor to set up; it reports whether it did.
func (a *actions) toEnrol(ctx context.Context, step *flows.Step[Context], user *db.User, method, amr string) bool {
	factors := enrolFactors(step.Tenant, amr)
	if step.Tenant.Settings.MFA.Policy != tenants.MFAMandatory || user.MFAEnabled || len(factors) == 0 {
		return false
	}
	step.TakeCeremony()
	step.Context.FirstFactor = amr
	step.Next = MFAEnroll
	step.Output = enrolNeeded{Enroll: factors}
	a.audit(ctx, step, method, &user.ID, "mfa_enrollment")
	return true
}

// errEnrolled refuses enrolment to a user who has a factor now.
var errEnrolled = flows.ErrActionNotAllowed.WithField("", "2-step verification is already set up for this account. Start again and verify with it.")

// enrolUser returns the flow's user (mfaUser) while they still have no
// usable second factor, and refuses factor, a factor the tenant no longer
// offers for setting up.
func (a *actions) enrolUser(ctx context.Context, step *flows.Step[Context], factor string) (*db.User, error) {
	user, err := a.mfaUser(ctx, step)
	if err != nil {
		return nil, err
	}
	if factor != "" && !slices.Contains(enrolFactors(step.Tenant, step.Context.FirstFactor), factor) {
		return nil, flows.ErrMethodNotAvailable.WithField("", "This way to verify is not available here. Choose another one.")
	}
	have, err := a.usableFactors(ctx, step, user, "")
	if err != nil {
		return nil, err
	}
	if user.MFAEnabled || len(have.Factors) > 0 {
		return nil, errEnrolled
	}
	return user, nil
}

func (a *actions) enrolChoose(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := a.enrolUser(ctx, step, ""); err != nil {
		return err
	}
	step.TakeCeremony()
	step.Context.EnrolCodeID, step.Context.EnrolPhone = nil, ""
	step.Next = MFAEnroll
	step.Output = enrolNeeded{Enroll: enrolFactors(step.Tenant, step.Context.FirstFactor)}
	return nil
}

func (a *actions) enrolTOTPStart(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	user, err := a.enrolUser(ctx, step, FactorTOTP)
	if err != nil {
		return err
	}
	account := step.Context.Identifier
	if account == "" {
		account = user.DisplayName
	}
	key, err := flows.StartTOTPSetup(ctx, step.Scope, step.Tenant, user.ID, account, step.Now)
	if err != nil {
		return err
	}
	step.TakeCeremony()
	step.Next = MFAEnrollTOTP
	step.Output = key
	return nil
}

func (a *actions) enrolTOTPConfirm(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	user, err := a.enrolUser(ctx, step, FactorTOTP)
	if err != nil {
		return err
	}
	if err := flows.VerifyTOTP(ctx, step.Scope, user.ID, in.Code, step.Now, flows.TOTPPending); err != nil {
		a.auditRefusal(ctx, step, FactorTOTP, user.ID, err)
		return err
	}
	if err := step.Scope.Users().SetMFA(ctx, user.ID, true); err != nil {
		return err
	}
	return a.enrolled(ctx, step, user.ID, FactorTOTP, flows.AMROTP)
}

// enrolled ends the setting up of the factor (method, amr): the backup
// codes next when the tenant enables them, else the session.
func (a *actions) enrolled(ctx context.Context, step *flows.Step[Context], userID uuid.UUID, method, amr string) error {
	c := step.Context
	c.Enrolled, c.EnrolCodeID, c.EnrolPhone = amr, nil, ""
	if method != FactorWebAuthn {
		// A passkey's own event is recorded by its registration.
		step.Record(audit.Event{Type: audit.FactorAdded, User: &userID, Target: method})
	}
	if !flows.FactorEnabled(step.Tenant, tenants.FactorBackupCodes) {
		return a.signIn(ctx, step, userID, method, secondAMR(step, amr)...)
	}
	codes, err := flows.IssueBackupCodes(ctx, step.Scope, userID, step.Now)
	if err != nil {
		return err
	}
	step.Next = MFAEnrollBackupCodes
	step.Output = enrolBackupCodes{BackupCodes: codes}
	return nil
}

func (a *actions) enrolBackupCodesAck(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	user, err := a.mfaUser(ctx, step)
	if err != nil {
		return err
	}
	amr := step.Context.Enrolled
	if amr == "" {
		return flows.ErrActionNotAllowed
	}
	return a.signIn(ctx, step, user.ID, enrolMethod(amr), secondAMR(step, amr)...)
}

// enrolMethod is the audit method of the factor set up with amr.
func enrolMethod(amr string) string {
	switch amr {
	case flows.AMRSMS:
		return FactorSMS
	case flows.AMRWebAuthn:
		return FactorWebAuthn
	}
	return FactorTOTP
}

// enrolRegistration is the passkey registration of the flow's user, who
// sets up a passkey as their second factor.
func (a *actions) enrolRegistration(step *flows.Step[Context], user *db.User) flows.PasskeyRegistration {
	return flows.PasskeyRegistration{
		Passkeys: a.Passkeys,
		Logger:   a.Logger,
		Registrant: func(ctx context.Context) (passkey.Registrant, error) {
			creds, err := step.Scope.Credentials().ByUser(ctx, user.ID, "")
			if err != nil {
				return passkey.Registrant{}, err
			}
			return passkey.Registrant{Handle: user.WebAuthnHandle, Name: user.DisplayName, Existing: creds}, nil
		},
		Owner: func(context.Context) (uuid.UUID, error) { return user.ID, nil },
	}
}

func (a *actions) enrolPasskeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	user, err := a.enrolUser(ctx, step, FactorWebAuthn)
	if err != nil {
		return err
	}
	step.Context.EnrolCodeID, step.Context.EnrolPhone = nil, ""
	return flows.BeginPasskeyRegistration(ctx, step, a.enrolRegistration(step, user), MFAEnroll)
}

func (a *actions) enrolPasskeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	user, err := a.enrolUser(ctx, step, FactorWebAuthn)
	if err != nil {
		return err
	}
	if _, err := flows.FinishPasskeyRegistration(ctx, step, a.enrolRegistration(step, user)); err != nil {
		return err
	}
	return a.enrolled(ctx, step, user.ID, FactorWebAuthn, flows.AMRWebAuthn)
}
