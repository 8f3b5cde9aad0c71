package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// The account API's rules:
//
//   - Adding or removing a sign-in method or a second factor needs a recent
//     verification (flows.RequireRecentVerification, the one rule every
//     door calls): the session proved a factor within RecentVerification,
//     at its sign-in or by re-verifying. Otherwise the answer is
//     reverification_required, and the account center re-verifies the
//     session (beginReverification, finishReverification), which keeps it.
//   - The last way to sign in cannot be removed (last_sign_in_method): a
//     passkey, a password, or a verified email or phone the tenant lets
//     sign in by code.
//   - Under a mandatory MFA policy the last second factor cannot be
//     removed and 2-step verification cannot be turned off; under a
//     user-controlled policy removing the last factor turns it off.
const (
	// TOTPConfirmAttempts is how many wrong first codes a user may try per
	// TOTPConfirmWindow.
	TOTPConfirmAttempts = 10
	TOTPConfirmWindow   = 10 * time.Minute
	// BackupCodeCount is how many backup codes regenerating gives.
	BackupCodeCount = 10
)

// passkeyName checks a name a person gave a passkey (flows.PasskeyName);
// here it may not be empty.
func passkeyName(name string) (string, error) {
	name, err := flows.PasskeyName(name)
	if err == nil && name == "" {
		return "", &tenants.InputError{Field: "name", Problem: "is empty; give the passkey a name you will recognize, such as the device it is on"}
	}
	return name, err
}

// inTx runs fn in a transaction of the caller's tenant. A failure marked
// with flows.Fail (a wrong code) still commits what fn counted.
func (r *Resolver) inTx(ctx context.Context, fn func(ctx context.Context, tx *db.Tx, scope db.Scope) error) error {
	c := callerFrom(ctx)
	var failed error
	err := r.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		err := fn(ctx, tx, tx.ForTenant(c.tenant.ID))
		if flows.Failed(err) {
			failed = err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return failed
}

func factorOn(t *tenants.Tenant, factor string) error {
	if !slices.Contains(t.Settings.MFA.Factors, factor) {
		return flows.ErrMethodNotAvailable.WithField("", "This way to verify is not turned on here.")
	}
	return nil
}

func (r *Resolver) beginAddPasskey(ctx context.Context) (*model.AddPasskeyCeremony, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	res, err := r.addPasskey.Begin(ctx, c.tenant, addpasskey.Context{UserID: uid}, addpasskey.ActionPasskeyBegin, nil, c.req)
	if err != nil {
		return nil, err
	}
	begun, ok := res.Output.(passkey.Begun)
	if !ok {
		return nil, errors.New("add passkey: unexpected output of passkey.begin")
	}
	opts, err := json.Marshal(begun.Passkey)
	if err != nil {
		return nil, err
	}
	return &model.AddPasskeyCeremony{Ceremony: res.Token, Options: string(opts)}, nil
}

func (r *Resolver) finishAddPasskey(ctx context.Context, ceremony, response string, name *string) (*db.Credential, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	if !json.Valid([]byte(response)) {
		return nil, &tenants.InputError{Field: "response", Problem: "is not JSON: pass the authenticator's response in its standard JSON form"}
	}
	in := map[string]any{"credential": json.RawMessage(response)}
	if name != nil {
		n, err := passkeyName(*name)
		if err != nil {
			return nil, err
		}
		in["name"] = n
	}
	raw, _ := json.Marshal(in)
	res, err := r.addPasskey.Run(ctx, c.tenant, ceremony, addpasskey.ActionPasskeyFinish, raw, c.req)
	if err != nil {
		return nil, err
	}
	added, ok := res.Output.(addpasskey.Added)
	if !ok {
		return nil, errors.New("add passkey: unexpected output of passkey.finish")
	}
	return c.scope.Credentials().Get(ctx, uid, added.ID)
}

// signInMethods counts the user's ways to sign in other than the passkey
// not counted (skip).
func signInMethods(ctx context.Context, t *tenants.Tenant, scope db.Scope, u *db.User, skip uuid.UUID) (int, error) {
	creds, err := scope.Credentials().ByUser(ctx, u.ID, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range creds {
		if c.ID != skip {
			n++
		}
	}
	if u.PasswordHash != "" {
		n++
	}
	ids, err := scope.Users().Identifiers(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		method := map[string]string{db.IdentifierEmail: tenants.MethodEmailCode, db.IdentifierPhone: tenants.MethodSMSCode}[id.Kind]
		if id.VerifiedAt != nil && method != "" && slices.Contains(t.Settings.SignIn.Methods[id.Kind], method) {
			n++
		}
	}
	return n, nil
}

func (r *Resolver) removePasskey(ctx context.Context, id uuid.UUID) (bool, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return false, err
	}
	c := callerFrom(ctx)
	uid, s := me(ctx)
	err := r.inTx(ctx, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		if _, err := scope.Credentials().Get(ctx, uid, id); err != nil {
			return err
		}
		left, err := signInMethods(ctx, c.tenant, scope, s.User, id)
		if err != nil {
			return err
		}
		if left == 0 {
			return errLastMethod
		}
		if err := scope.Credentials().Delete(ctx, uid, id); err != nil {
			return err
		}
		return r.afterFactorRemoved(ctx, c.tenant, scope, uid)
	})
	return err == nil, err
}

// primaryFactors counts the user's second factors other than backup codes.
func primaryFactors(ctx context.Context, scope db.Scope, uid uuid.UUID) (int, error) {
	n := 0
	creds, err := scope.Credentials().ByUser(ctx, uid, "")
	if err != nil {
		return 0, err
	}
	n += len(creds)
	if f, err := scope.TOTP().Get(ctx, uid); err == nil && f.ConfirmedAt != nil {
		n++
	} else if err != nil && !errors.Is(err, db.ErrNotFound) {
		return 0, err
	}
	if _, err := scope.SMSFactors().Get(ctx, uid); err == nil {
		n++
	} else if !errors.Is(err, db.ErrNotFound) {
		return 0, err
	}
	return n, nil
}

// afterFactorRemoved keeps the MFA rules once a factor is gone: with none
// left, a mandatory policy refuses the removal, a user-controlled one turns
// 2-step verification off.
func (r *Resolver) afterFactorRemoved(ctx context.Context, t *tenants.Tenant, scope db.Scope, uid uuid.UUID) error {
	n, err := primaryFactors(ctx, scope, uid)
	if err != nil || n > 0 {
		return err
	}
	if t.Settings.MFA.Policy == tenants.MFAMandatory {
		return errMFARequired.WithField("", "2-step verification is required here: add another way to verify before removing the last one.")
	}
	return scope.Users().SetMFA(ctx, uid, false)
}

func (r *Resolver) removeFactor(ctx context.Context, factor string) (*db.User, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	err := r.inTx(ctx, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		var err error
		if factor == tenants.FactorTOTP {
			err = scope.TOTP().Remove(ctx, uid)
		} else {
			err = scope.SMSFactors().Remove(ctx, uid)
		}
		if err != nil {
			return err
		}
		return r.afterFactorRemoved(ctx, c.tenant, scope, uid)
	})
	if err != nil {
		return nil, err
	}
	return c.scope.Users().ByID(ctx, uid)
}

func (r *Resolver) beginTOTP(ctx context.Context) (*model.TOTPEnrollment, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	if err := factorOn(c.tenant, tenants.FactorTOTP); err != nil {
		return nil, err
	}
	uid, s := me(ctx)
	e, err := totp.Enroll(totp.Issuer(c.tenant.Name, c.tenant.Slug), s.User.DisplayName, 256)
	if err != nil {
		return nil, err
	}
	if err := c.scope.TOTP().Start(ctx, uid, e.Secret, r.Clock.Now()); errors.Is(err, db.ErrDuplicate) {
		return nil, errcode.ErrFactorExists
	} else if err != nil {
		return nil, err
	}
	return &model.TOTPEnrollment{Secret: e.Secret, OtpauthURL: e.URL, QRCode: e.QRCode}, nil
}

func (r *Resolver) confirmTOTP(ctx context.Context, code string) (*db.User, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	now := r.Clock.Now()
	err := r.inTx(ctx, func(ctx context.Context, tx *db.Tx, scope db.Scope) error {
		n, err := scope.Hit(ctx, "user:"+uid.String()+":totp_confirm", TOTPConfirmWindow, now)
		if err != nil {
			return err
		}
		if n > TOTPConfirmAttempts {
			return flows.Fail(flows.ErrTooManyAttempts)
		}
		f, err := scope.TOTP().Get(ctx, uid)
		if errors.Is(err, db.ErrNotFound) || (err == nil && f.ConfirmedAt != nil) {
			return flows.ErrActionNotAllowed.WithField("", "Start setting up the authenticator app first (beginTOTP).")
		}
		if err != nil {
			return err
		}
		step, err := totp.Validate(f.Secret, code, now, f.LastStep)
		if errors.Is(err, totp.ErrInvalid) || errors.Is(err, totp.ErrReplayed) {
			return flows.Fail(flows.ErrInvalidCode.WithField("code", "That code is not right. Enter the 6-digit code your authenticator app shows now."))
		}
		if err != nil {
			return err
		}
		if err := scope.TOTP().Accept(ctx, uid, step, now); errors.Is(err, db.ErrReplayed) {
			return flows.Fail(flows.ErrInvalidCode)
		} else if err != nil {
			return err
		}
		return scope.Users().SetMFA(ctx, uid, true)
	})
	if err != nil {
		return nil, err
	}
	return c.scope.Users().ByID(ctx, uid)
}

func (r *Resolver) beginSMSFactor(ctx context.Context, phone string) (*model.SMSBinding, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	if err := factorOn(c.tenant, tenants.FactorSMS); err != nil {
		return nil, err
	}
	kind, number, ok := flows.ParseIdentifier(phone)
	if !ok || kind != db.IdentifierPhone {
		return nil, &tenants.InputError{Field: "phone", Problem: "is not a phone number in international form, such as +14155550123"}
	}
	_, s := me(ctx)
	var code *db.Code
	err := r.inTx(ctx, func(ctx context.Context, tx *db.Tx, _ db.Scope) error {
		var err error
		code, err = r.Flows.SendCode(ctx, tx, c.tenant, c.req, r.Clock.Now(), flows.CodeToSend{
			FlowID: s.ID, Purpose: "bind", Channel: db.ChannelSMS, Recipient: number,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.SMSBinding{Binding: code.ID.String(), SentTo: flows.MaskPhone(number)}, nil
}

// confirmSMSFactor binds the number a code of this session was sent to:
// the code is tied to the session (its FlowID), so a binding started in
// another session does not work here.
func (r *Resolver) confirmSMSFactor(ctx context.Context, binding, code string) (*db.User, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	if err := factorOn(c.tenant, tenants.FactorSMS); err != nil {
		return nil, err
	}
	id, err := uuid.Parse(binding)
	if err != nil {
		return nil, &tenants.InputError{Field: "binding", Problem: "is not the binding beginSMSFactor returned"}
	}
	uid, s := me(ctx)
	now := r.Clock.Now()
	err = r.inTx(ctx, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		row, err := scope.Codes().Get(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return flows.ErrCodeExpired
		}
		if err != nil {
			return err
		}
		if row.FlowID == nil || *row.FlowID != s.ID {
			// Another session's binding: refused without touching it.
			return flows.ErrInvalidCode
		}
		if _, err := flows.CheckCode(ctx, scope, id, code, now, flows.CodeToSend{
			FlowID: s.ID, Purpose: "bind", Channel: db.ChannelSMS, Recipient: row.Recipient,
		}); err != nil {
			return err
		}
		if err := scope.SMSFactors().Set(ctx, uid, row.Recipient, now); err != nil {
			return err
		}
		return scope.Users().SetMFA(ctx, uid, true)
	})
	if err != nil {
		return nil, err
	}
	return c.scope.Users().ByID(ctx, uid)
}

func (r *Resolver) regenerateBackupCodes(ctx context.Context) (*model.BackupCodes, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	if err := factorOn(c.tenant, tenants.FactorBackupCodes); err != nil {
		return nil, err
	}
	uid, _ := me(ctx)
	codes, hashes, err := backupcode.Generate(BackupCodeCount)
	if err != nil {
		return nil, err
	}
	err = r.inTx(ctx, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		n, err := primaryFactors(ctx, scope, uid)
		if err != nil {
			return err
		}
		if n == 0 {
			return flows.ErrActionNotAllowed.WithField("", "Backup codes recover a second factor: set up a passkey, an authenticator app or an SMS number first.")
		}
		return scope.BackupCodes().Replace(ctx, uid, hashes, r.Clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return &model.BackupCodes{Codes: codes}, nil
}

func (r *Resolver) setMFA(ctx context.Context, enabled bool) (*db.User, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	if !enabled && c.tenant.Settings.MFA.Policy == tenants.MFAMandatory {
		return nil, errMFARequired
	}
	err := r.inTx(ctx, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		if enabled {
			n, err := primaryFactors(ctx, scope, uid)
			if err != nil {
				return err
			}
			if n == 0 {
				return flows.ErrActionNotAllowed.WithField("", "Set up a second factor first: a passkey, an authenticator app or an SMS number.")
			}
		}
		return scope.Users().SetMFA(ctx, uid, enabled)
	})
	if err != nil {
		return nil, err
	}
	return c.scope.Users().ByID(ctx, uid)
}

// TestMessagesPerHour is how many test messages a tenant may send per
// hour.
const TestMessagesPerHour = 10

// sendTestMessage sends a message through the tenant's provider now, so an
// administrator sees at once whether the settings work.
func (r *Resolver) sendTestMessage(ctx context.Context, channel model.Channel, to string) (*model.TestMessage, error) {
	c := callerFrom(ctx)
	if r.Senders == nil {
		return nil, errors.New("send test message: no senders configured")
	}
	kind, addr, ok := flows.ParseIdentifier(to)
	want := map[model.Channel]string{model.ChannelSms: db.IdentifierPhone, model.ChannelEmail: db.IdentifierEmail}[channel]
	if !ok || kind != want {
		if channel == model.ChannelSms {
			return nil, &tenants.InputError{Field: "to", Problem: "is not a phone number in international form, such as +14155550123"}
		}
		return nil, &tenants.InputError{Field: "to", Problem: "is not an email address"}
	}
	if channel == model.ChannelSms && !c.tenant.Settings.SMS.Allows(addr) {
		return nil, flows.ErrPhoneNotAllowed.WithField("to", "This number's country is not among the tenant's allowed SMS countries.")
	}
	err := r.inTx(ctx, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		n, err := scope.Hit(ctx, "test_message", time.Hour, r.Clock.Now())
		if err != nil {
			return err
		}
		if n > TestMessagesPerHour {
			return flows.Fail(errcode.ErrRateLimited)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	text := "This is a test message from " + c.tenant.Name + ". Your provider settings work."
	var id string
	if channel == model.ChannelSms {
		s, err := r.Senders.SMS(ctx, c.tenant.ID)
		if err == nil {
			id, err = s.SendSMS(ctx, delivery.SMS{To: addr, Body: text})
		}
		if err != nil {
			return nil, providerError(err)
		}
	} else {
		s, err := r.Senders.Email(ctx, c.tenant.ID)
		if err == nil {
			id, err = s.SendEmail(ctx, delivery.Email{To: addr, Subject: "Test message from " + c.tenant.Name, Text: text})
		}
		if err != nil {
			return nil, providerError(err)
		}
	}
	return &model.TestMessage{MessageID: id}, nil
}

// providerError answers provider_error. The provider's own reason is
// logged beside it, never sent: its text is the provider's, not Sesame's.
func providerError(err error) error {
	return fmt.Errorf("%w: %w", errcode.ErrProviderError, err)
}
