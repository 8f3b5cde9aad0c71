// Package signin is the sign-in flow: the three passkey paths ("Continue
// with passkey", identifier first, browser autofill), the other methods a
// user can fall back to (a password, a code by email or SMS), and the
// second factor that those may need.
//
// The machine (declared in Machine; "stays" is a transition that leaves
// the flow in the state it ran in, and identify may start over from any
// state before mfa):
//
//	identify|passkey|choose_method|code ──identify──▶ passkey        (known user with a passkey, passkey sign-in on)
//	identify|passkey|choose_method|code ──identify──▶ choose_method  (anyone else: unknown users look the same)
//	passkey ──choose_method──▶ choose_method
//	identify|passkey|choose_method|code ──passkey.begin──▶ stays    (discoverable: button, autofill)
//	identify|passkey|choose_method|code ──passkey.finish──▶ done    (session issued, amr webauthn)
//	passkey|choose_method ──password──▶ done  (no second factor needed: amr pwd)
//	passkey|choose_method ──password──▶ mfa   (2-step on, or mandatory: no session yet)
//	passkey|choose_method|code ──code.send──▶ code  (a code by email or SMS; see code.go)
//	code ──code.verify──▶ done               (no second factor needed: amr otp or sms)
//	code ──code.verify──▶ mfa                (the same gate as a password: no session yet)
//	code ──choose_method──▶ choose_method
//	mfa ──mfa.passkey.begin──▶ mfa            (the user's own passkeys: allowCredentials)
//	mfa ──mfa.passkey.finish──▶ done          (amr pwd, webauthn, mfa)
//	mfa ──mfa.totp──▶ done                    (amr pwd, otp, mfa)
//	mfa ──mfa.sms.send──▶ mfa                 (a code to the user's SMS factor phone; see mfa_sms.go)
//	mfa ──mfa.sms.verify──▶ done              (amr pwd, sms, mfa)
//	mfa ──mfa.backup_code──▶ done             (amr pwd, backup_code, mfa)
//	identify|passkey|choose_method|code|upstream|upstream_exchanging ──federation.begin──▶ upstream (to a connector's provider; see federation.go)
//	upstream ──federation.assert──▶ upstream       (saml: the ACS records the checked assertion)
//	upstream ──federation.claim──▶ upstream_exchanging (oidc: the callback claims the state before it exchanges the code)
//	upstream|upstream_exchanging ──federation.finish──▶ done (the provider's answer, checked: amr fed)
//	upstream|upstream_exchanging ──federation.finish──▶ mfa  (the tenant's second factor after the provider)
//	upstream|upstream_exchanging ──federation.finish──▶ passkey|choose_method (an account holds the address: prove it first, then it is linked)
//	passkey|choose_method ──password──▶ mfa_enroll  (mandatory, no factor yet: set one up; see enrol.go)
//	code ──code.verify──▶ mfa_enroll                (the same, after a code)
//	upstream|upstream_exchanging ──federation.finish──▶ mfa_enroll (the same, after the provider)
//	mfa_enroll|mfa_enroll_totp|mfa_enroll_sms ──mfa_enroll.totp.start──▶ mfa_enroll_totp  (a new key and QR code)
//	mfa_enroll_totp ──mfa_enroll.totp.confirm──▶ mfa_enroll_backup_codes|done  (first code right: app confirmed, 2-step on)
//	mfa_enroll|mfa_enroll_totp|mfa_enroll_sms ──mfa_enroll.sms.send──▶ mfa_enroll_sms    (a "bind" code to the phone typed)
//	mfa_enroll_sms ──mfa_enroll.sms.verify──▶ mfa_enroll_backup_codes|done     (code right: phone stored, 2-step on)
//	mfa_enroll|mfa_enroll_totp|mfa_enroll_sms ──mfa_enroll.passkey.begin──▶ mfa_enroll    (registration options)
//	mfa_enroll ──mfa_enroll.passkey.finish──▶ mfa_enroll_backup_codes|done     (a passkey stored: the factor)
//	mfa_enroll|mfa_enroll_totp|mfa_enroll_sms ──mfa_enroll.choose──▶ mfa_enroll (back to the factors offered)
//	mfa_enroll_backup_codes ──mfa_enroll.backup_codes.ack──▶ done              (amr: first factor, the new one, mfa)
//
// An OpenID Connect answer is finished from upstream_exchanging only, a saml
// one from upstream (the ACS recorded its assertion; nothing is exchanged).
// Exactly one callback claims the flow's state, so the provider's code is
// exchanged once however often the browser comes back; a failed exchange
// leaves upstream_exchanging, from which only federation.begin leads on.
//
// (After a code, otp or sms takes the place of pwd in the amr.) The mfa
// output lists the user's factors in the order offered: webauthn, the
// recommended one, first; then totp, sms and backup_code, behind "Try
// another method to verify".
//
// A successful passkey sign-in ends the flow without any second factor: a
// passkey is a WebAuthn credential, which already satisfies WebAuthn MFA.
// A password never ends the flow by itself for a user who needs a second
// factor: the password action leads to mfa, and only the mfa actions, which
// run in no other state, lead from there to a session. Nothing leads back
// from mfa (not identify, not passkey.finish), so the flow's user and its
// passed password cannot be swapped for another's. The enrolment states
// (mfa_enroll…), where a user with no second factor sets one up under the
// mandatory policy, follow the same rule: no session until the factor is
// confirmed (and the backup codes shown), nothing leading back.
//
// A code signs in only through an identifier its account holds verified:
// one stored unverified was never proved by whoever made the account, so
// proving it by a code releases that claim and signs in to nothing, as for
// an unknown identifier (see code.go). This keeps the address's holder out
// of an account holding a passkey or password someone else made (account
// pre-hijacking).
//
// password, code.send and code.verify are guarded by the tenant's CAPTCHA
// when it has one on (flows.Transition.Captcha); no passkey action ever is.
package signin

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/tenants"
)

// Kind is the flow kind.
const Kind = "sign_in"

// States.
const (
	Identify     flows.State = "identify"
	Passkey      flows.State = "passkey"
	ChooseMethod flows.State = "choose_method"
	// Code waits for the code sent by email or SMS.
	Code flows.State = "code"
	// MFA waits for the second factor after a correct password or code.
	MFA flows.State = "mfa"
	// Upstream waits for a connector's provider to send the browser back.
	Upstream flows.State = "upstream"
	// UpstreamExchanging is a flow whose state one callback claimed: its
	// code is being exchanged, or the exchange failed and the person
	// starts again.
	UpstreamExchanging flows.State = "upstream_exchanging"
)

// Actions.
const (
	ActionIdentify      = "identify"
	ActionPasskeyBegin  = "passkey.begin"
	ActionPasskeyFinish = "passkey.finish"
	ActionChooseMethod  = "choose_method"
	ActionPassword      = "password"
	ActionCodeSend      = "code.send"
	ActionCodeVerify    = "code.verify"
	// The second factor, in state mfa.
	ActionMFAPasskeyBegin  = "mfa.passkey.begin"
	ActionMFAPasskeyFinish = "mfa.passkey.finish"
	ActionMFATOTP          = "mfa.totp"
	ActionMFASMSSend       = "mfa.sms.send"
	ActionMFASMSVerify     = "mfa.sms.verify"
	ActionMFABackupCode    = "mfa.backup_code"
	// Sign-in through a federation connector.
	ActionFederationBegin  = "federation.begin"
	ActionFederationFinish = "federation.finish"
	// ActionFederationAssert records a saml IdP's checked assertion on the
	// flow at the ACS; federation.finish signs in with it once the browser
	// that began the flow comes back (the same-site hop).
	ActionFederationAssert = "federation.assert"
	// ActionFederationClaim takes an OpenID Connect flow's upstream state
	// for the one callback that exchanges the provider's code.
	ActionFederationClaim = "federation.claim"
)

// Methods a user may be offered after identifying.
const (
	MethodPasskey = "passkey"
	MethodSSO     = "sso"
	// MethodPassword is tenants.MethodPassword.
	MethodPassword = tenants.MethodPassword
	// MethodEmailCode and MethodSMSCode are a code sent to the email
	// address or phone number typed.
	MethodEmailCode = tenants.MethodEmailCode
	MethodSMSCode   = tenants.MethodSMSCode
)

// Context is the sign-in flow's stored context.
type Context struct {
	// UserID is the identified user, when identify found one; never sent
	// to the client.
	UserID *uuid.UUID `json:"user_id,omitempty"`
	// IdentifierKind and Identifier are what the user typed, normalized.
	IdentifierKind string `json:"identifier_kind,omitempty"`
	Identifier     string `json:"identifier,omitempty"`
	// FirstFactor is the amr value of the first factor the user passed
	// (pwd, otp or sms), set when the flow went on to the second factor.
	// The password or code itself is never kept.
	FirstFactor string `json:"first_factor,omitempty"`
	// CodeID is the code sent by code.send for this flow; code.verify
	// checks only this code.
	CodeID *uuid.UUID `json:"code_id,omitempty"`
	// MFACodeID is the code sent by mfa.sms.send for this flow;
	// mfa.sms.verify checks only this code.
	MFACodeID *uuid.UUID `json:"mfa_code_id,omitempty"`
	// Federation is the sign-in waiting upstream: its state's hash, nonce
	// and PKCE verifier.
	Federation *federation.Pending `json:"federation,omitempty"`
	// EnrolPhone and EnrolCodeID are the phone being set up as the SMS
	// factor at enrolment and the code sent to it for this flow;
	// mfa_enroll.sms.verify checks only this code.
	EnrolPhone  string     `json:"enrol_phone,omitempty"`
	EnrolCodeID *uuid.UUID `json:"enrol_code_id,omitempty"`
	// Enrolled is the amr value of the factor set up at enrolment, once
	// confirmed: the session after the backup codes carries it.
	Enrolled string `json:"enrolled,omitempty"`
	// Link is an upstream identity to link once the person signed in to
	// the account holding its verified address.
	Link *PendingLink `json:"link,omitempty"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the sign-in engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	a := &actions{Deps: d}
	return flows.NewEngineFromDeps(d, Machine(a), ActionPasskeyFinish)
}

// Machine declares the sign-in flow. a provides the action bodies; a nil a
// still gives the declaration, for documentation and tests.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	all := []flows.State{Identify, Passkey, ChooseMethod, Code}
	upstream := []flows.State{Upstream}
	identified := []flows.State{Passkey, ChooseMethod}
	code := []flows.State{Code}
	mfa := []flows.State{MFA}
	enrol := []flows.State{MFAEnroll, MFAEnrollTOTP, MFAEnrollSMS}
	enrolled := []flows.State{flows.Done, MFAEnrollBackupCodes}
	done := []flows.State{flows.Done}
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Identify,
		TTL:   30 * time.Minute,
		Transitions: []flows.Transition{
			{Action: ActionIdentify, From: all, To: []flows.State{Passkey, ChooseMethod}},
			{Action: ActionChooseMethod, From: []flows.State{Passkey, Code}, To: []flows.State{ChooseMethod}},
			// A discoverable ceremony (the button, autofill) leaves the
			// flow where it was; it reads and writes no table, so a flow
			// begun with it is one INSERT without a transaction.
			{Action: ActionPasskeyBegin, From: all, Stays: true, NoTx: true},
			// Not in mfa: a passkey sign-in there would be a second
			// first factor; the mfa path is mfa.passkey.finish.
			{Action: ActionPasskeyFinish, From: all, To: done},
			// What a person types, and asking for a code to be sent, are
			// guarded by the tenant's CAPTCHA when it has one on.
			{Action: ActionPassword, From: identified, To: []flows.State{flows.Done, MFA, MFAEnroll}, Captcha: true},
			{Action: ActionCodeSend, From: []flows.State{Passkey, ChooseMethod, Code}, To: code, Captcha: true},
			{Action: ActionCodeVerify, From: code, To: []flows.State{flows.Done, MFA, MFAEnroll}, Captcha: true},
			{Action: ActionMFAPasskeyBegin, From: mfa, To: mfa},
			{Action: ActionMFAPasskeyFinish, From: mfa, To: done},
			{Action: ActionMFATOTP, From: mfa, To: done},
			{Action: ActionMFASMSSend, From: mfa, To: mfa},
			{Action: ActionMFASMSVerify, From: mfa, To: done},
			{Action: ActionMFABackupCode, From: mfa, To: done},
			{Action: ActionFederationBegin, From: append(slices.Clone(all), Upstream, UpstreamExchanging), To: upstream},
			{Action: ActionFederationClaim, From: upstream, To: []flows.State{UpstreamExchanging}},
			{Action: ActionFederationFinish, From: []flows.State{Upstream, UpstreamExchanging}, To: []flows.State{flows.Done, MFA, MFAEnroll, Passkey, ChooseMethod}},
			{Action: ActionFederationAssert, From: upstream, To: upstream},
			{Action: ActionEnrollChoose, From: enrol, To: []flows.State{MFAEnroll}},
			{Action: ActionEnrollTOTPStart, From: enrol, To: []flows.State{MFAEnrollTOTP}},
			{Action: ActionEnrollTOTPConfirm, From: []flows.State{MFAEnrollTOTP}, To: enrolled},
			{Action: ActionEnrollSMSSend, From: enrol, To: []flows.State{MFAEnrollSMS}},
			{Action: ActionEnrollSMSVerify, From: []flows.State{MFAEnrollSMS}, To: enrolled},
			{Action: ActionEnrollPasskeyBegin, From: enrol, To: []flows.State{MFAEnroll}},
			{Action: ActionEnrollPasskeyFinish, From: []flows.State{MFAEnroll}, To: enrolled},
			{Action: ActionEnrollBackupCodesAck, From: []flows.State{MFAEnrollBackupCodes}, To: done},
		},
		Actions: map[string]flows.Action[Context]{
			ActionIdentify:         a.identify,
			ActionChooseMethod:     a.chooseMethod,
			ActionPasskeyBegin:     a.passkeyBegin,
			ActionPasskeyFinish:    a.passkeyFinish,
			ActionPassword:         a.password,
			ActionCodeSend:         a.codeSend,
			ActionCodeVerify:       a.codeVerify,
			ActionMFAPasskeyBegin:  a.mfaPasskeyBegin,
			ActionMFAPasskeyFinish: a.mfaPasskeyFinish,
			ActionMFATOTP:          a.mfaTOTP,
			ActionMFASMSSend:       a.mfaSMSSend,
			ActionMFASMSVerify:     a.mfaSMSVerify,
			ActionMFABackupCode:    a.mfaBackupCode,
			ActionFederationBegin:  a.federationBegin,
			ActionFederationFinish: a.federationFinish,
			ActionFederationAssert: a.federationAssert,
			ActionFederationClaim:  a.federationClaim,
			// Enrolment under the mandatory policy (see enrol.go).
			ActionEnrollChoose:         a.enrolChoose,
			ActionEnrollTOTPStart:      a.enrolTOTPStart,
			ActionEnrollTOTPConfirm:    a.enrolTOTPConfirm,
			ActionEnrollSMSSend:        a.enrolSMSSend,
			ActionEnrollSMSVerify:      a.enrolSMSVerify,
			ActionEnrollPasskeyBegin:   a.enrolPasskeyBegin,
			ActionEnrollPasskeyFinish:  a.enrolPasskeyFinish,
			ActionEnrollBackupCodesAck: a.enrolBackupCodesAck,
		},
	}
}

type actions struct{ Deps }

var errNoPasskey = errors.New("no passkey")

// Output of identify and choose_method.
type methodsOutput struct {
	// Methods are the ways the user can continue.
	Methods []string `json:"methods"`
	// Passkey, when set, is the "Verify via passkey" ceremony to start now.
	Passkey *passkey.Options `json:"passkey,omitempty"`
	// Connector, with method sso, is the organization's sign-in to
	// continue with.
	Connector *connectorOutput `json:"connector,omitempty"`
	// Link, after an upstream sign-in, names the provider whose identity
	// is linked once the person signs in to this account.
	Link *connectorOutput `json:"link,omitempty"`
}

func (a *actions) identify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Identifier string `json:"identifier"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	kind, value, ok := flows.ParseIdentifier(in.Identifier)
	if !ok {
		return flows.ErrInvalidInput.WithField("identifier", "Enter an email address, a phone number starting with +, or a username.")
	}
	step.Context.IdentifierKind, step.Context.Identifier = kind, value
	step.Context.UserID = nil
	step.Context.FirstFactor = ""
	step.Context.CodeID = nil
	step.Context.MFACodeID = nil

	// Whatever the outcome, the flow no longer holds an earlier
	// ceremony.
	step.TakeCeremony()

	if routed, err := routeByDomain(ctx, step); routed || err != nil {
		return err
	}
	user, err := step.Scope.Users().ByIdentifier(ctx, kind, value)
	switch {
	case errors.Is(err, db.ErrNotFound):
		// Unknown users look exactly like known users without passkeys.
		step.Next = ChooseMethod
		step.Output = methodsOutput{Methods: fallbackMethods(step.Tenant, kind)}
		return nil
	case err != nil:
		return err
	}
	return a.offer(ctx, step, user)
}

// offer leads on from an identified user: the passkey ceremony when they
// have one, else the other methods; an SSO user only to their
// organization's sign-in.
func (a *actions) offer(ctx context.Context, step *flows.Step[Context], user *db.User) error {
	kind := step.Context.IdentifierKind
	id := user.ID
	step.Context.UserID = &id
	if user.SSO {
		out := methodsOutput{Methods: []string{MethodSSO}}
		c, err := federation.EnterpriseOf(ctx, step.Scope, user.ID)
		if err != nil {
			return err
		}
		if c != nil {
			out.Connector = &connectorOutput{ID: c.ID.String(), Name: c.Name}
		}
		step.Next = ChooseMethod
		step.Output = out
		return nil
	}
	if !step.Tenant.Settings.Passkeys.SignIn || user.DisabledAt != nil {
		step.Next = ChooseMethod
		step.Output = methodsOutput{Methods: fallbackMethods(step.Tenant, kind)}
		return nil
	}
	opts, err := a.beginForUser(ctx, step, user)
	if errors.Is(err, errNoPasskey) {
		step.Next = ChooseMethod
		step.Output = methodsOutput{Methods: fallbackMethods(step.Tenant, kind)}
		return nil
	}
	if err != nil {
		return err
	}
	step.Next = Passkey
	step.Output = methodsOutput{Methods: append([]string{MethodPasskey}, fallbackMethods(step.Tenant, kind)...), Passkey: opts}
	return nil
}

// beginForUser starts "Verify via passkey" with the user's credentials
// under the tenant's RP ID, or returns errNoPasskey.
func (a *actions) beginForUser(ctx context.Context, step *flows.Step[Context], user *db.User) (*passkey.Options, error) {
	rp := a.Passkeys.RelyingParty(step.Tenant)
	creds, err := step.Scope.Credentials().ByUser(ctx, user.ID, rp.ID)
	if err != nil {
		return nil, err
	}
	if len(creds) == 0 {
		return nil, errNoPasskey
	}
	opts, c, err := a.Passkeys.BeginSignIn(step.Tenant, user, creds, "")
	if err != nil {
		return nil, err
	}
	if err := step.PutCeremony(c); err != nil {
		return nil, err
	}
	return opts, nil
}

func (a *actions) chooseMethod(_ context.Context, step *flows.Step[Context]) error {
	step.TakeCeremony()
	step.Next = ChooseMethod
	step.Output = methodsOutput{Methods: fallbackMethods(step.Tenant, step.Context.IdentifierKind)}
	return nil
}
