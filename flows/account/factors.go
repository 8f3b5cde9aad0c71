package account

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// BeginTOTP starts setting up an authenticator app: a new secret, kept
// unconfirmed until ConfirmTOTP accepts a first code.
func (s *Service) BeginTOTP(ctx context.Context, c Caller) (*totp.Enrollment, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	if err := flows.FactorOn(c.Tenant, tenants.FactorTOTP); err != nil {
		return nil, err
	}
	e, err := totp.Enroll(totp.Issuer(c.Tenant.Name, c.Tenant.Slug), c.Session.User.DisplayName, QRCodeSize)
	if err != nil {
		return nil, err
	}
	if err := s.scope(c).TOTP().Start(ctx, c.userID(), e.Secret, s.flows.Clock.Now()); errors.Is(err, db.ErrDuplicate) {
		return nil, ErrFactorExists
	} else if err != nil {
		return nil, err
	}
	return e, nil
}

// ConfirmTOTP checks the first code of the app BeginTOTP started
// (flows.VerifyTOTP, on the user's one limit of factor attempts); a right
// one confirms it and turns 2-step verification on.
func (s *Service) ConfirmTOTP(ctx context.Context, c Caller, code string) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	uid := c.userID()
	err := s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		err := flows.VerifyTOTP(ctx, scope, uid, code, s.flows.Clock.Now(), flows.TOTPPending)
		if errors.Is(err, flows.ErrActionNotAllowed) {
			return flows.Fail(flows.ErrActionNotAllowed.WithField("", "Start setting up the authenticator app first (beginTOTP)."))
		}
		if err != nil {
			return err
		}
		if err := s.record(ctx, c, scope, audit.Event{Type: audit.FactorAdded, Target: tenants.FactorTOTP}); err != nil {
			return err
		}
		return scope.Users().SetMFA(ctx, uid, true)
	})
	if err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}

// SMSBinding is a code sent to prove a phone number before it becomes the
// caller's SMS factor.
type SMSBinding struct {
	// ID names the code; ConfirmSMSFactor takes it back.
	ID uuid.UUID
	// SentTo is the number, masked.
	SentTo string
}

// BeginSMSFactor sends a code to phone (flows.SendCode, with its limits
// and the tenant's allowed countries), bound to the caller's session.
func (s *Service) BeginSMSFactor(ctx context.Context, c Caller, phone string) (*SMSBinding, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	if err := flows.FactorOn(c.Tenant, tenants.FactorSMS); err != nil {
		return nil, err
	}
	kind, number, ok := flows.ParseIdentifier(phone)
	if !ok || kind != db.IdentifierPhone {
		return nil, &tenants.InputError{Field: "phone", Problem: "is not a phone number in international form, such as +14155550123"}
	}
	var code *db.Code
	err := s.inTx(ctx, c, func(ctx context.Context, tx *db.Tx, _ db.Scope) error {
		var err error
		code, err = s.flows.SendCode(ctx, tx, c.Tenant, c.Request, s.flows.Clock.Now(), flows.CodeToSend{
			FlowID: c.Session.ID, Purpose: flows.PurposeBindPhone, Channel: db.ChannelSMS, Recipient: number,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &SMSBinding{ID: code.ID, SentTo: flows.MaskPhone(number)}, nil
}

// ConfirmSMSFactor binds the number a code of this session was sent to:
// the code is tied to the session (its FlowID), so a binding started in
// another session does not work here. A right code makes the number the
// caller's SMS factor and turns 2-step verification on.
func (s *Service) ConfirmSMSFactor(ctx context.Context, c Caller, binding, code string) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	if err := flows.FactorOn(c.Tenant, tenants.FactorSMS); err != nil {
		return nil, err
	}
	id, err := uuid.Parse(binding)
	if err != nil {
		return nil, &tenants.InputError{Field: "binding", Problem: "is not the binding beginSMSFactor returned"}
	}
	uid, now := c.userID(), s.flows.Clock.Now()
	err = s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		row, err := scope.Codes().Get(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return flows.ErrCodeExpired
		}
		if err != nil {
			return err
		}
		if row.FlowID == nil || *row.FlowID != c.Session.ID {
			// Another session's binding: refused without touching it.
			return flows.ErrInvalidCode
		}
		if err := flows.BindSMSFactor(ctx, scope, uid, id, code, now, flows.CodeToSend{
			FlowID: c.Session.ID, Purpose: flows.PurposeBindPhone, Channel: db.ChannelSMS, Recipient: row.Recipient,
		}); err != nil {
			return err
		}
		if err := s.record(ctx, c, scope, audit.Event{Type: audit.FactorAdded, Target: tenants.FactorSMS}); err != nil {
			return err
		}
		return scope.Users().SetMFA(ctx, uid, true)
	})
	if err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}

// RegenerateBackupCodes gives the caller flows.BackupCodeCount new backup
// codes, replacing any left, and returns them to be shown once. A caller
// without another second factor gets none: backup codes recover one.
func (s *Service) RegenerateBackupCodes(ctx context.Context, c Caller) ([]string, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	if err := flows.FactorOn(c.Tenant, tenants.FactorBackupCodes); err != nil {
		return nil, err
	}
	uid := c.userID()
	var codes []string
	err := s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		n, err := primaryFactors(ctx, scope, uid)
		if err != nil {
			return err
		}
		if n == 0 {
			return flows.ErrActionNotAllowed.WithField("", "Backup codes recover a second factor: set up a passkey, an authenticator app or an SMS number first.")
		}
		codes, err = flows.IssueBackupCodes(ctx, scope, uid, s.flows.Clock.Now())
		if err != nil {
			return err
		}
		return s.record(ctx, c, scope, audit.Event{Type: audit.FactorAdded, Target: tenants.FactorBackupCodes})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
