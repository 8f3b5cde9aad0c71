// Package recovery is the flow by which a person who lost their passkeys
// gets back into their account: they prove an email address or phone
// number of the account by a code (or use a backup code), pass the second
// factor the MFA rule below asks for, create a new passkey, review and
// remove the old ones, and only then are signed in. An administrator's
// one-time recovery link (link.go) opens the flow at the new passkey.
//
// The machine (declared in Machine; "stays" leaves the flow where it was):
//
//	identify|proof|code ──identify──▶ proof     (an email or phone; the same answer for any)
//	proof|code ──code.send──▶ code              (a code to the address typed; flows.SendCode)
//	code ──code.verify──▶ mfa | passkey         (the address proved; see the MFA rule)
//	proof|code ──backup_code──▶ proof | mfa | passkey
//	mfa ──mfa.totp──▶ passkey                   (the authenticator app)
//	mfa ──mfa.backup_code──▶ passkey
//	mfa ──mfa.sms.send──▶ mfa                   (a code to the SMS factor's phone)
//	mfa ──mfa.sms.verify──▶ passkey
//	identify ──link──▶ passkey                  (an administrator's recovery link, used once)
//	passkey ──passkey.begin──▶ stays            (creation options for the new passkey)
//	passkey ──passkey.finish──▶ review          (the new passkey stored)
//	review ──passkey.remove──▶ stays            (one of the old passkeys removed)
//	passkey|review ──finish──▶ done             (the session; from passkey only if the tenant allows it)
//
// No session exists before finish, and finish refuses to end the flow
// without a new passkey unless the tenant's Recovery.AllowWithoutPasskey
// is on: a recovery is not a way to sign in on a code alone.
//
// The MFA rule. Two kinds of proof count: an address proof (a code sent to
// an email address or phone number the account holds verified; amr otp or
// sms) and a second factor (a backup code, the authenticator app or the
// SMS factor; amr backup_code, otp or sms). A user who needs two steps — 2-step verification
// on (users.mfa_enabled) or the tenant's MFA policy mandatory — and who
// has a second factor other than passkeys must pass one proof of each
// kind: after the address code, the authenticator app, a backup code or
// the SMS factor (mfa); after a backup code first, the address code. A backup code is
// itself the second factor, so a user with an authenticator app who starts
// with a backup code is not asked for the app too. Every other user (a
// passkey-only user, whose passkeys were their second factor and whose new
// passkey restores it) needs one proof of either kind. The SMS factor is
// not offered after an SMS code to its own phone (one phone would prove
// both); a user whose only second factor is that phone cannot recover
// here (method_not_available): by the email address, or by an
// administrator's recovery link.
//
// No account enumeration: identify answers the same for every address;
// code.send sends a code whether or not an account holds the address
// (flows.SendCode, with its limits); code.verify and backup_code answer
// invalid_code for an unknown address, an address held only unverified, a
// disabled or single sign-on account, exactly as for a wrong code.
//
// Limits: code.send has flows.SendCode's limits (per IP, per tenant, per
// recipient); a code allows flows.CodeMaxAttempts checks, counted
// atomically; backup codes and the authenticator app count on the user's
// factor limit (flows.CountFactorAttempt) and, before the user is known,
// on a limit per address typed. code.send, code.verify and backup_code
// are guarded by the tenant's CAPTCHA when it has one on.
package recovery

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// Kind is the flow kind.
const Kind = "recovery"

// States.
const (
	Identify flows.State = "identify"
	// Proof offers the ways to prove the account: a code, a backup code.
	Proof flows.State = "proof"
	// Code waits for the code sent to the address.
	Code flows.State = "code"
	// MFA waits for the second proof the MFA rule asks for.
	MFA flows.State = "mfa"
	// Passkey waits for the new passkey.
	Passkey flows.State = "passkey"
	// Review lists the passkeys, the new one among them, to remove the old.
	Review flows.State = "review"
)

// Actions.
const (
	ActionIdentify      = "identify"
	ActionCodeSend      = "code.send"
	ActionCodeVerify    = "code.verify"
	ActionBackupCode    = "backup_code"
	ActionMFATOTP       = "mfa.totp"
	ActionMFABackupCode = "mfa.backup_code"
	ActionMFASMSSend    = "mfa.sms.send"
	ActionMFASMSVerify  = "mfa.sms.verify"
	ActionLink          = "link"
	ActionPasskeyBegin  = "passkey.begin"
	ActionPasskeyFinish = "passkey.finish"
	ActionPasskeyRemove = "passkey.remove"
	ActionFinish        = "finish"
)

// PurposeRecovery is the purpose of the codes this flow sends.
const PurposeRecovery = "recovery"

// AMRRecoveryLink marks a session that came from an administrator's
// recovery link; AMRRecovery any session a recovery ended in. RFC 8176
// has no value for either.
const (
	AMRRecoveryLink = "recovery_link"
	AMRRecovery     = "recovery"
)

// Context is the flow's stored context.
type Context struct {
	// IdentifierKind and Identifier are the address typed, normalized.
	IdentifierKind string `json:"identifier_kind,omitempty"`
	Identifier     string `json:"identifier,omitempty"`
	// CodeID is the code code.send sent for this flow.
	CodeID *uuid.UUID `json:"code_id,omitempty"`
	// UserID is the account, set once a proof named it; never sent.
	UserID *uuid.UUID `json:"user_id,omitempty"`
	// Proofs are the amr values of the proofs passed, in order.
	Proofs []string `json:"proofs,omitempty"`
	// Address says whether one of Proofs is an address code.
	Address bool `json:"address,omitempty"`
	// Factor says whether one of Proofs is a second factor.
	Factor bool `json:"factor,omitempty"`
	// MFACodeID is the code mfa.sms.send sent to the SMS factor's phone.
	MFACodeID *uuid.UUID `json:"mfa_code_id,omitempty"`
	// NewPasskey is the passkey created in this flow.
	NewPasskey *uuid.UUID `json:"new_passkey,omitempty"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the recovery engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	return flows.NewEngineFromDeps(d, Machine(&actions{Deps: d}))
}

// TTL is how long a recovery flow lives after its last step.
const TTL = 30 * time.Minute

// Machine declares the recovery flow; a nil a gives the declaration only.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	st := func(s ...flows.State) []flows.State { return s }
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Identify,
		TTL:   TTL,
		Open:  Open,
		Transitions: []flows.Transition{
			{Action: ActionIdentify, From: st(Identify, Proof, Code), To: st(Proof)},
			{Action: ActionCodeSend, From: st(Proof, Code), To: st(Code), Captcha: true},
			{Action: ActionCodeVerify, From: st(Code), To: st(MFA, Passkey), Captcha: true},
			{Action: ActionBackupCode, From: st(Proof, Code), To: st(Proof, MFA, Passkey), Captcha: true},
			{Action: ActionMFATOTP, From: st(MFA), To: st(Passkey)},
			{Action: ActionMFABackupCode, From: st(MFA), To: st(Passkey)},
			{Action: ActionMFASMSSend, From: st(MFA), To: st(MFA)},
			{Action: ActionMFASMSVerify, From: st(MFA), To: st(Passkey)},
			{Action: ActionLink, From: st(Identify), To: st(Passkey)},
			{Action: ActionPasskeyBegin, From: st(Passkey), Stays: true},
			{Action: ActionPasskeyFinish, From: st(Passkey), To: st(Review)},
			{Action: ActionPasskeyRemove, From: st(Review), Stays: true},
			{Action: ActionFinish, From: st(Passkey, Review), To: st(flows.Done)},
		},
		Actions: map[string]flows.Action[Context]{
			ActionIdentify:      a.identify,
			ActionCodeSend:      a.codeSend,
			ActionCodeVerify:    a.codeVerify,
			ActionBackupCode:    a.backupCode,
			ActionMFATOTP:       a.mfaTOTP,
			ActionMFABackupCode: a.mfaBackupCode,
			ActionMFASMSSend:    a.mfaSMSSend,
			ActionMFASMSVerify:  a.mfaSMSVerify,
			ActionLink:          a.link,
			ActionPasskeyBegin:  a.passkeyBegin,
			ActionPasskeyFinish: a.passkeyFinish,
			ActionPasskeyRemove: a.passkeyRemove,
			ActionFinish:        a.finish,
		},
	}
}

// Open refuses every step of recovery on the admin tenant
// (tenants.Tenant.IsAdmin): console administrators get back in by a setup
// link (`sesame admin link`), never by a code to a mailbox. The engine
// asks it before every step, whatever the door.
func Open(t *tenants.Tenant) error {
	if t == nil || t.IsAdmin() {
		return errcode.ErrNotFound
	}
	return nil
}

type actions struct{ Deps }

// audit logs one recovery step: tenant, user when known, step, result and
// client IP, and never a secret.
func (a *actions) audit(ctx context.Context, step *flows.Step[Context], what string, user *uuid.UUID, result string) {
	attrs := []any{"tenant", step.Tenant.Slug, "step", what, "result", result, "ip", step.Request.IP}
	if user != nil {
		attrs = append(attrs, "user", user.String())
	}
	a.Logger.InfoContext(ctx, "account recovery", attrs...)
}
