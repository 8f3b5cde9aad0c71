// Package signup is sign-up by passkey: a new user gives an identifier and
// creates a passkey, which creates the account and signs it in.
//
// The machine (declared in Machine):
//
//	identify     ──identify──▶ passkey              (registration options issued)
//	passkey      ──identify──▶ passkey              (a different identifier, new options)
//	passkey      ──passkey.finish──▶ done           (user, identifier, passkey and session created together)
//	passkey      ──passkey.finish──▶ two_step       (the same, then "Turn on 2-step verification?":
//	                                                 totp enabled, policy user_controlled, prompt_at_sign_up)
//	passkey      ──passkey.finish──▶ totp_setup     (the same, with policy mandatory and totp enabled)
//	two_step     ──two_step.enable──▶ totp_setup    (a new authenticator-app secret, QR code)
//	two_step     ──two_step.skip──▶ done            (no 2-step verification; user_controlled only)
//	totp_setup   ──totp.confirm──▶ backup_codes     (first code accepted, MFA on, 10 backup codes shown once)
//	totp_setup   ──totp.confirm──▶ done             (the same when backup codes are not enabled)
//	backup_codes ──backup_codes.ack──▶ done
//
// Binding a passkey never turns 2-step verification on: only a confirmed
// authenticator app does. The session is issued at passkey.finish (the
// account exists); every later step must come from that same user
// (RequestInfo.UserID).
//
// The fuller sign-up (verification codes, password, the passkey binding
// prompt) builds on the same registration step.
package signup

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/tenants"
)

// Kind is the flow kind.
const Kind = "sign_up"

// States.
const (
	Identify    flows.State = "identify"
	Passkey     flows.State = "passkey"
	TwoStep     flows.State = "two_step"
	TOTPSetup   flows.State = "totp_setup"
	BackupCodes flows.State = "backup_codes"
)

// Actions.
const (
	ActionIdentify      = "identify"
	ActionPasskeyFinish = "passkey.finish"
	ActionTwoStepEnable = "two_step.enable"
	ActionTwoStepSkip   = "two_step.skip"
	ActionTOTPConfirm   = "totp.confirm"
	ActionBackupCodeAck = "backup_codes.ack"
)

const (
	// BackupCodeCount is how many backup codes sign-up gives.
	BackupCodeCount = 10
	// QRCodeSize is the QR code's width and height in pixels.
	QRCodeSize = 256
	// TOTPAttempts is how many wrong first codes a flow takes before it
	// refuses more.
	TOTPAttempts = 10
)

// Context is the sign-up flow's stored context.
type Context struct {
	IdentifierKind string `json:"identifier_kind,omitempty"`
	Identifier     string `json:"identifier,omitempty"`
	// Handle is the new user's WebAuthn user handle, chosen once per flow.
	Handle []byte `json:"handle,omitempty"`
	// UserID is the account created at passkey.finish; only its session
	// may drive the later steps.
	UserID *uuid.UUID `json:"user_id,omitempty"`
	// TOTPFailures counts wrong codes at totp.confirm.
	TOTPFailures int `json:"totp_failures,omitempty"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the sign-up engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	return flows.NewEngine(d.DB, Machine(&actions{Deps: d}), d.Clock, d.Logger)
}

// Machine declares the sign-up flow.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Identify,
		TTL:   30 * time.Minute,
		Transitions: []flows.Transition{
			{Action: ActionIdentify, From: []flows.State{Identify, Passkey}, To: []flows.State{Passkey}},
			{Action: ActionPasskeyFinish, From: []flows.State{Passkey}, To: []flows.State{flows.Done, TwoStep, TOTPSetup}},
			{Action: ActionTwoStepEnable, From: []flows.State{TwoStep}, To: []flows.State{TOTPSetup}},
			{Action: ActionTwoStepSkip, From: []flows.State{TwoStep}, To: []flows.State{flows.Done}},
			{Action: ActionTOTPConfirm, From: []flows.State{TOTPSetup}, To: []flows.State{BackupCodes, flows.Done}},
			{Action: ActionBackupCodeAck, From: []flows.State{BackupCodes}, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[Context]{
			ActionIdentify:      a.identify,
			ActionPasskeyFinish: a.passkeyFinish,
			ActionTwoStepEnable: a.twoStepEnable,
			ActionTwoStepSkip:   a.twoStepSkip,
			ActionTOTPConfirm:   a.totpConfirm,
			ActionBackupCodeAck: a.backupCodesAck,
		},
	}
}

type actions struct{ Deps }

func (a *actions) identify(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.AllowRegistration {
		return flows.ErrPasskeyRegistrationDisabled
	}
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
	_, err := step.Scope.Users().ByIdentifier(ctx, kind, value)
	if err == nil {
		return flows.ErrIdentifierTaken.WithField("identifier", "")
	}
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	step.Context.IdentifierKind, step.Context.Identifier = kind, value
	if len(step.Context.Handle) == 0 {
		h := make([]byte, 32)
		_, _ = rand.Read(h)
		step.Context.Handle = h
	}
	opts, c, err := a.Passkeys.BeginRegistration(step.Tenant, passkey.Registrant{Handle: step.Context.Handle, Name: value})
	if err != nil {
		return err
	}
	if err := step.PutCeremony(c); err != nil {
		return err
	}
	step.Next = Passkey
	step.Output = passkey.Begun{Passkey: opts}
	return nil
}

func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Credential json.RawMessage `json:"credential"`
		Name       string          `json:"name"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return flows.Fail(err)
	}
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return err
	}
	reg := passkey.Registrant{Handle: step.Context.Handle, Name: step.Context.Identifier}
	cred, err := a.Passkeys.FinishRegistration(ctx, step.Tenant, c, reg, in.Credential, in.Name, step.Request.UserAgent)
	if err != nil {
		return flows.Fail(flows.ErrPasskeyRegistrationFailed)
	}

	// From here on every write is one unit: any error rolls all back.
	user := &db.User{ID: uuid.Must(uuid.NewV7()), WebAuthnHandle: step.Context.Handle, DisplayName: step.Context.Identifier}
	ident := &db.Identifier{Kind: step.Context.IdentifierKind, Value: step.Context.Identifier}
	if err := step.Scope.Users().Create(ctx, user, ident); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrIdentifierTaken
		}
		return err
	}
	cred.UserID = user.ID
	if err := step.Scope.Credentials().Create(ctx, cred); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrPasskeyExists
		}
		return err
	}
	s, err := flows.IssueSession(ctx, step.Scope, user.ID, []string{flows.AMRWebAuthn}, step.Request, step.Now)
	if err != nil {
		return err
	}
	step.Session = s
	step.Context.UserID = &user.ID
	out := Finished{UserID: user.ID}
	switch mfa := step.Tenant.Settings.MFA; {
	case !slices.Contains(mfa.Factors, tenants.FactorTOTP):
		step.Next = flows.Done
	case mfa.Policy == tenants.MFAMandatory:
		// Mandatory: straight into binding the authenticator app.
		key, err := a.startTOTP(ctx, step)
		if err != nil {
			return err
		}
		step.Next = TOTPSetup
		out.TwoStep = &TwoStepPrompt{Required: true}
		out.TOTP = key
	case mfa.Policy == tenants.MFAUserControlled && mfa.PromptAtSignUp:
		step.Next = TwoStep
		out.TwoStep = &TwoStepPrompt{Required: false}
	default:
		step.Next = flows.Done
	}
	step.Output = out
	return nil
}

// Finished is passkey.finish's output.
type Finished struct {
	UserID uuid.UUID `json:"user_id"`
	// TwoStep, when set, asks the page to offer (or, Required, to go on
	// into) 2-step verification.
	TwoStep *TwoStepPrompt `json:"two_step,omitempty"`
	// TOTP is the authenticator app to bind when the policy is mandatory.
	TOTP *TOTPSetupOutput `json:"totp,omitempty"`
}

// TwoStepPrompt tells the page to show "Turn on 2-step verification".
type TwoStepPrompt struct {
	// Required is true with a mandatory policy: there is no "Skip".
	Required bool `json:"required"`
}

// TOTPSetupOutput is what the page shows to bind an authenticator app.
type TOTPSetupOutput struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	// QRCode is a data: URL of a PNG image of URL.
	QRCode string `json:"qr_code"`
}

// BackupCodesOutput carries the backup codes, shown this once.
type BackupCodesOutput struct {
	BackupCodes []string `json:"backup_codes"`
}

// user checks that the request comes from the flow's new user and returns
// the user's id.
func user(step *flows.Step[Context]) (uuid.UUID, error) {
	c := step.Context
	if c.UserID == nil {
		return uuid.Nil, flows.ErrActionNotAllowed
	}
	if step.Request.UserID == nil || *step.Request.UserID != *c.UserID {
		return uuid.Nil, flows.ErrUnauthenticated
	}
	return *c.UserID, nil
}

// startTOTP makes a new unconfirmed authenticator-app secret for the
// flow's user and returns what the page shows.
func (a *actions) startTOTP(ctx context.Context, step *flows.Step[Context]) (*TOTPSetupOutput, error) {
	issuer := strings.TrimSpace(strings.ReplaceAll(step.Tenant.Name, ":", " "))
	if issuer == "" {
		issuer = step.Tenant.Slug
	}
	key, err := totp.Generate(issuer, step.Context.Identifier)
	if err != nil {
		return nil, err
	}
	png, err := key.PNG(QRCodeSize)
	if err != nil {
		return nil, err
	}
	if err := step.Scope.TOTP().Start(ctx, *step.Context.UserID, key.Secret, step.Now); err != nil {
		return nil, err
	}
	return &TOTPSetupOutput{
		Secret: key.Secret,
		URL:    key.URL,
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
	}, nil
}

func (a *actions) twoStepEnable(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if !slices.Contains(step.Tenant.Settings.MFA.Factors, tenants.FactorTOTP) {
		return flows.ErrMethodNotAvailable
	}
	key, err := a.startTOTP(ctx, step)
	if err != nil {
		return err
	}
	step.Next = TOTPSetup
	step.Output = key
	return nil
}

func (a *actions) twoStepSkip(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	if step.Tenant.Settings.MFA.Policy != tenants.MFAUserControlled {
		return flows.ErrActionNotAllowed
	}
	step.Next = flows.Done
	return nil
}

func (a *actions) totpConfirm(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	id, err := user(step)
	if err != nil {
		return err
	}
	if step.Context.TOTPFailures >= TOTPAttempts {
		return flows.ErrTooManyAttempts
	}
	fail := func() error {
		step.Context.TOTPFailures++
		return flows.Fail(flows.ErrInvalidCode.WithField("code", "That code is not right. Enter the 6-digit code your authenticator app shows now."))
	}
	f, err := step.Scope.TOTP().Get(ctx, id)
	if err != nil {
		return err
	}
	accepted, err := totp.Validate(f.Secret, in.Code, step.Now, f.LastStep)
	if errors.Is(err, totp.ErrInvalid) || errors.Is(err, totp.ErrReplayed) {
		return fail()
	}
	if err != nil {
		return err
	}
	if err := step.Scope.TOTP().Accept(ctx, id, accepted, step.Now); errors.Is(err, db.ErrReplayed) {
		return fail()
	} else if err != nil {
		return err
	}
	if err := step.Scope.Users().SetMFA(ctx, id, true); err != nil {
		return err
	}
	if !slices.Contains(step.Tenant.Settings.MFA.Factors, tenants.FactorBackupCodes) {
		step.Next = flows.Done
		return nil
	}
	codes, hashes, err := backupcode.Generate(BackupCodeCount)
	if err != nil {
		return err
	}
	if err := step.Scope.BackupCodes().Replace(ctx, id, hashes, step.Now); err != nil {
		return err
	}
	step.Next = BackupCodes
	step.Output = BackupCodesOutput{BackupCodes: codes}
	return nil
}

func (a *actions) backupCodesAck(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	if _, err := user(step); err != nil {
		return err
	}
	step.Next = flows.Done
	return nil
}
