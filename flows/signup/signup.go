// Package signup is the sign-up flow: a new user gives the identifiers the
// tenant asks for, proves the email address and phone number by a code,
// chooses a password (when the tenant wants one), and gets an account and a
// session; then creating a passkey is offered, and after it 2-step
// verification. The passkey-first path (one identifier, proved by a code
// like the form's, then a passkey that creates the account) runs on the
// same machine.
//
// The machine (declared in Machine):
//
//	identify|passkey ──identify──▶ verify          (passkey first, an email or phone to prove: a code sent)
//	identify|passkey ──identify──▶ passkey         (passkey first, nothing to prove: registration options)
//	passkey  ──passkey.finish──▶ done|two_step|mfa_choose|totp_setup
//	                                               (user, identifier, passkey and session created together)
//	identify|verify|password ──sign_up──▶ verify   (the form: a code sent to the first email/phone to prove)
//	identify|verify|password ──sign_up──▶ password (nothing to prove; the tenant asks for a password)
//	identify|verify|password ──sign_up──▶ passkey_prompt|done|mfa_choose|totp_setup
//	                                               (nothing to prove, no password: account now, session unless mandatory)
//	verify   ──code.send──▶ verify                 (a new code for the identifier being proved)
//	verify   ──code.verify──▶ verify               (proved; a code sent to the next one)
//	verify   ──code.verify──▶ passkey              (passkey first, proved: registration options)
//	verify   ──code.verify──▶ password             (all proved; the tenant asks for a password)
//	verify   ──code.verify──▶ passkey_prompt|done|mfa_choose|totp_setup   (all proved: account; session unless mandatory)
//	password ──password──▶ passkey_prompt|done|mfa_choose|totp_setup      (account; session unless mandatory)
//	passkey_prompt ──passkey_prompt.begin──▶ passkey_prompt               (registration options for the new user)
//	passkey_prompt ──passkey_prompt.finish──▶ two_step|mfa_choose|totp_setup|done
//	passkey_prompt ──passkey_prompt.skip──▶ mfa_choose|totp_setup|done    (no passkey: never two_step)
//	two_step ──two_step.enable──▶ totp_setup       (TOTP the only factor to bind: secret and QR code)
//	two_step ──two_step.enable──▶ mfa_choose       (several factors: the user picks)
//	two_step ──two_step.skip──▶ done               (user_controlled only: no 2-step verification)
//	mfa_choose|totp_setup|sms_verify ──totp.start──▶ totp_setup  (a new secret and QR code)
//	mfa_choose|totp_setup|sms_verify ──sms.send──▶ sms_verify    (a "bind" code to the phone typed)
//	totp_setup ──totp.confirm──▶ mfa_choose|backup_codes|done           (first code right: MFA on; session if none yet)
//	sms_verify ──sms.verify──▶ mfa_choose|backup_codes|done             (code right: phone stored, MFA on; session if none yet)
//	mfa_choose ──mfa.finish──▶ backup_codes|done                        (at least one factor bound)
//	backup_codes ──backup_codes.ack──▶ done
//
// Decisions:
//
//   - The form takes the identifiers the tenant's SignUp.Identifiers list,
//     each in its own field (email, phone, username); those in
//     SignUp.Required must be given. The passkey-first identify takes one
//     identifier, of a listed kind, and only where no other kind is
//     required.
//   - With SignUp.VerifyIdentifiers, every email address and phone number
//     is proved by a code (flows.SendCode, purpose sign_up, delivered by
//     the River job) before anything else happens, one after another, email
//     first; on the passkey-first path too: identify sends the code, and
//     the registration options are issued only once code.verify proved it,
//     so no account, and no passkey, exists for an address its creator did
//     not prove (account pre-hijacking). The account is then created with
//     the identifier verified. Whether such an identifier already belongs to an account is
//     looked up only once its code is proved: sign_up and code.send answer
//     the same for a taken address as for a free one (the code is sent
//     either way), and code.verify says identifier_taken only to whoever
//     holds the address; an account that holds the address unverified (made
//     before verification was on) gives it up to the person who proved it
//     (flows.ProvedIdentifier). A username cannot be proved, so a taken
//     username is refused at sign_up and identify: a person choosing one
//     must learn that it is taken. Without VerifyIdentifiers there is
//     nothing to hide behind, so every identifier is checked at once
//     (sign_up, identify) and stored unverified; the sign-in flow never
//     lets a code to such an identifier into the account (see signin).
//   - With SignUp.Password the password comes last, once the identifiers
//     are proved, and is checked against the tenant's password policy
//     (length, common-password list) and stored as argon2id. It is never
//     kept in the flow: the password action creates the account.
//   - The account is created, with its proved identifiers marked verified,
//     by the action that completes the last of these steps, which also
//     issues the session (amr: otp for an email code, sms for a phone code,
//     pwd for a password) unless the policy demands a factor first (below).
//     Every later step must come from that session's user
//     (RequestInfo.UserID): see user.
//   - With the mandatory policy no session exists until a factor is bound:
//     the account is created Enrolling, and until then the flow token is
//     its only credential, an enrolment-only one: it reaches the binding
//     actions of this flow (passkey prompt, totp.*, sms.*) and nothing
//     else, not the account API. The session is issued by the action that
//     binds the first factor (totp.confirm, sms.verify; passkey_prompt.finish
//     where a passkey is the only factor), with the factor in its amr (and
//     mfa when something was proved before it). It is issued there rather
//     than after the backup codes because from that moment the account
//     meets the policy: sign-in would give the same user a session, and
//     the backup codes are stored before they are shown. A flow abandoned
//     before the binding leaves an account and no session; sign-in then
//     leads its owner, after the password or code, to set a factor up (the
//     sign-in's enrolment states, by the same flows.VerifyTOTP and
//     flows.BindSMSFactor), never giving a session on the password or code
//     alone.
//   - "Create a passkey?" (passkey_prompt) follows when SignUp.PasskeyPrompt
//     is on and the tenant lets users create passkeys; it can be skipped.
//   - "Turn on 2-step verification" (two_step) follows only when the user
//     created a passkey, the policy is user_controlled, MFA.PromptAtSignUp
//     is on and the tenant enables a factor to bind (totp, sms). Binding a
//     passkey never turns 2-step verification on: only a confirmed
//     authenticator app or a proved SMS phone does, at the moment it is
//     confirmed. After the first factor the user may bind another the
//     tenant enables (mfa_choose) or finish; then come ten backup codes,
//     shown once and stored hashed, when the tenant enables them.
//   - With the mandatory policy the flow goes from the account (or the
//     passkey prompt) straight into binding a factor (totp_setup or
//     mfa_choose), where no skip is declared; two_step.skip, declared in
//     two_step only, also refuses when the policy became mandatory. Where
//     webauthn is the tenant's only factor, the passkey prompt is the
//     binding and cannot be skipped; it is shown even where the tenant
//     turned SignUp.PasskeyPrompt off, and a tenant that lets no one create
//     a passkey refuses sign-up (mfa_enrollment_required) rather than make
//     an account that could never meet its policy. With the user-controlled
//     policy, a user who pressed "Enable" and then leaves is already signed
//     in, with 2-step verification still off.
//   - The actions that send or take a code or a password (sign_up,
//     identify, code.send, code.verify, password) are the ones a CAPTCHA
//     will guard: identify sends a code as sign_up does. The passkey
//     actions never are.
package signup

import (
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// Kind is the flow kind.
const Kind = "sign_up"

// States.
const (
	Identify flows.State = "identify"
	// Passkey waits for the passkey that creates the account (passkey
	// first).
	Passkey flows.State = "passkey"
	// Verify waits for the code sent to the identifier being proved.
	Verify flows.State = "verify"
	// Password waits for the new password.
	Password flows.State = "password"
	// PasskeyPrompt offers "Create a passkey?" to the new account.
	PasskeyPrompt flows.State = "passkey_prompt"
	// TwoStep is "Turn on 2-step verification".
	TwoStep flows.State = "two_step"
	// MFAChoose lets the user pick a factor to bind, or finish.
	MFAChoose   flows.State = "mfa_choose"
	TOTPSetup   flows.State = "totp_setup"
	SMSVerify   flows.State = "sms_verify"
	BackupCodes flows.State = "backup_codes"
)

// Actions.
const (
	ActionIdentify      = "identify"
	ActionPasskeyFinish = "passkey.finish"
	ActionSignUp        = "sign_up"
	ActionCodeSend      = "code.send"
	ActionCodeVerify    = "code.verify"
	ActionPassword      = "password"
	ActionPromptBegin   = "passkey_prompt.begin"
	ActionPromptFinish  = "passkey_prompt.finish"
	ActionPromptSkip    = "passkey_prompt.skip"
	ActionTwoStepEnable = "two_step.enable"
	ActionTwoStepSkip   = "two_step.skip"
	ActionTOTPStart     = "totp.start"
	ActionTOTPConfirm   = "totp.confirm"
	ActionSMSSend       = "sms.send"
	ActionSMSVerify     = "sms.verify"
	ActionMFAFinish     = "mfa.finish"
	ActionBackupCodeAck = "backup_codes.ack"
	codePurposeSignUp   = "sign_up"
)

const (
	// BackupCodeCount is how many backup codes sign-up gives
	// (flows.BackupCodeCount, as regenerating them gives).
	BackupCodeCount = flows.BackupCodeCount
	// QRCodeSize is the QR code's width and height in pixels.
	QRCodeSize = flows.TOTPQRCodeSize
	// TOTPAttempts is how many wrong first codes the user may type before
	// more are refused: the user's one limit on factor attempts
	// (flows.FactorAttemptsPerUser), shared with sign-in and the account.
	TOTPAttempts = flows.FactorAttemptsPerUser
)

// Context is the sign-up flow's stored context.
type Context struct {
	// IdentifierKind and Identifier name the new account: the passkey-first
	// identifier, or the form's first identifier in the order email, phone,
	// username. The authenticator app and the passkey show it.
	IdentifierKind string `json:"identifier_kind,omitempty"`
	Identifier     string `json:"identifier,omitempty"`
	// Identifiers are the form's identifiers, normalized.
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// CodeID is the code sent to the identifier being proved.
	CodeID *uuid.UUID `json:"code_id,omitempty"`
	// Proofs are the amr values of the codes proved so far.
	Proofs []string `json:"proofs,omitempty"`
	// PasskeyFirst is set by identify: once its identifier is proved, the
	// registration options follow, and passkey.finish creates the account.
	PasskeyFirst bool `json:"passkey_first,omitempty"`
	// Handle is the new user's WebAuthn user handle, chosen once per flow.
	Handle []byte `json:"handle,omitempty"`
	// UserID is the account once created; only its session may drive the
	// later steps, unless Enrolling.
	UserID *uuid.UUID `json:"user_id,omitempty"`
	// Enrolling is set while the account exists without a session because
	// the tenant's policy demands a factor the user has not bound: the flow
	// token alone then drives this flow's binding steps (it is the
	// enrolment-only credential), and the step that satisfies the policy
	// issues the session and clears it.
	Enrolling bool `json:"enrolling,omitempty"`
	// AMR are the methods the account was created with (otp, sms, pwd),
	// kept while Enrolling for the session issued later.
	AMR []string `json:"amr,omitempty"`
	// PasskeyCreated is set when the new user created a passkey.
	PasskeyCreated bool `json:"passkey_created,omitempty"`
	// SMSPhone and SMSCodeID are the phone being bound as an SMS factor
	// and the code sent to it.
	SMSPhone  string     `json:"sms_phone,omitempty"`
	SMSCodeID *uuid.UUID `json:"sms_code_id,omitempty"`
	// Bound lists the factors confirmed in this flow (totp, sms).
	Bound []string `json:"bound,omitempty"`
}

// Identifier is one identifier given on the form.
type Identifier struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Verified is set once its code was proved.
	Verified bool `json:"verified,omitempty"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the sign-up engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	return flows.NewEngineFromDeps(d, Machine(&actions{Deps: d}))
}

// Machine declares the sign-up flow. a provides the action bodies; a nil a
// still gives the declaration, for documentation and tests.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	s := func(states ...flows.State) []flows.State { return states }
	// Where a new account goes once it exists.
	account := s(PasskeyPrompt, flows.Done, MFAChoose, TOTPSetup)
	// Where the flow goes after the passkey, created or not.
	afterPasskey := s(flows.Done, TwoStep, MFAChoose, TOTPSetup)
	afterFactor := s(MFAChoose, BackupCodes, flows.Done)
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Identify,
		TTL:   30 * time.Minute,
		Open:  Open,
		Transitions: []flows.Transition{
			{Action: ActionIdentify, From: s(Identify, Passkey), To: s(Verify, Passkey), Captcha: true},
			{Action: ActionPasskeyFinish, From: s(Passkey), To: afterPasskey},
			{Action: ActionSignUp, From: s(Identify, Verify, Password), To: append(s(Verify, Password), account...), Captcha: true},
			{Action: ActionCodeSend, From: s(Verify), To: s(Verify), Captcha: true},
			{Action: ActionCodeVerify, From: s(Verify), To: append(s(Verify, Password, Passkey), account...), Captcha: true},
			{Action: ActionPassword, From: s(Password), To: account, Captcha: true},
			{Action: ActionPromptBegin, From: s(PasskeyPrompt), To: s(PasskeyPrompt)},
			{Action: ActionPromptFinish, From: s(PasskeyPrompt), To: afterPasskey},
			{Action: ActionPromptSkip, From: s(PasskeyPrompt), To: s(flows.Done, MFAChoose, TOTPSetup)},
			{Action: ActionTwoStepEnable, From: s(TwoStep), To: s(TOTPSetup, MFAChoose)},
			{Action: ActionTwoStepSkip, From: s(TwoStep), To: s(flows.Done)},
			{Action: ActionTOTPStart, From: s(MFAChoose, TOTPSetup, SMSVerify), To: s(TOTPSetup)},
			{Action: ActionSMSSend, From: s(MFAChoose, TOTPSetup, SMSVerify), To: s(SMSVerify)},
			{Action: ActionTOTPConfirm, From: s(TOTPSetup), To: afterFactor},
			{Action: ActionSMSVerify, From: s(SMSVerify), To: afterFactor},
			{Action: ActionMFAFinish, From: s(MFAChoose), To: s(BackupCodes, flows.Done)},
			{Action: ActionBackupCodeAck, From: s(BackupCodes), To: s(flows.Done)},
		},
		Actions: map[string]flows.Action[Context]{
			ActionIdentify:      a.identify,
			ActionPasskeyFinish: a.passkeyFinish,
			ActionSignUp:        a.signUp,
			ActionCodeSend:      a.codeSend,
			ActionCodeVerify:    a.codeVerify,
			ActionPassword:      a.password,
			ActionPromptBegin:   a.promptBegin,
			ActionPromptFinish:  a.promptFinish,
			ActionPromptSkip:    a.promptSkip,
			ActionTwoStepEnable: a.twoStepEnable,
			ActionTwoStepSkip:   a.twoStepSkip,
			ActionTOTPStart:     a.totpStart,
			ActionTOTPConfirm:   a.totpConfirm,
			ActionSMSSend:       a.smsSend,
			ActionSMSVerify:     a.smsVerify,
			ActionMFAFinish:     a.mfaFinish,
			ActionBackupCodeAck: a.backupCodesAck,
		},
	}
}

// Open refuses sign-up, with flows.ErrSignUpClosed, on a tenant that takes
// no sign-up (tenants.Tenant.SignUpOpen: the admin tenant). It is the
// machine's Open, so the engine asks it before every step: starting a
// flow, the first action, and every later action in every state, so no
// step of sign-up (identify, sign_up, passkey.finish, code.*, ...) runs
// there, even on a flow row that somehow exists.
func Open(t *tenants.Tenant) error {
	if !t.SignUpOpen() {
		return flows.ErrSignUpClosed
	}
	return nil
}

type actions struct{ Deps }
