package account

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// DisplayNameMaxLen is the longest name, in characters, a person may give
// themself.
const DisplayNameMaxLen = 100

// PurposeAddIdentifier is the purpose of a code that proves an email
// address or phone number a signed-in user adds to their account.
const PurposeAddIdentifier = "add_identifier"

// SetDisplayName changes the caller's name: one line of text (internal/text
// rules, through flows.CleanText), not empty, at most DisplayNameMaxLen
// characters. It changes no way to sign in and needs no re-verification.
func (s *Service) SetDisplayName(ctx context.Context, c Caller, name string) (*db.User, error) {
	clean, err := flows.CleanText("displayName", name, DisplayNameMaxLen)
	if err != nil {
		return nil, err
	}
	if clean == "" {
		return nil, &tenants.InputError{Field: "displayName", Problem: "is empty; enter the name you want to be called"}
	}
	if err := s.scope(c).Users().SetDisplayName(ctx, c.userID(), clean); err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}

// IdentifierBinding is a code sent to prove an email address or phone
// number before it becomes one of the caller's identifiers.
type IdentifierBinding struct {
	// ID names the code; ConfirmIdentifier takes it back.
	ID uuid.UUID
	// Kind is db.IdentifierEmail or db.IdentifierPhone.
	Kind string
	// SentTo is where the code went: the address, or the number masked.
	SentTo string
}

// BeginAddIdentifier sends a code (flows.SendCode, with its limits) to an
// email address or phone number the caller wants to add, bound to the
// caller's session. A new identifier is a new way to sign in, so it needs a
// recent verification. An identifier another account holds verified is
// refused with identifier_taken, as sign-up refuses it (no more is
// revealed than sign-up reveals); one the caller holds already is refused
// too.
func (s *Service) BeginAddIdentifier(ctx context.Context, c Caller, value string) (*IdentifierBinding, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	kind, norm, err := s.addable(ctx, c, value)
	if err != nil {
		return nil, err
	}
	channel := map[string]string{db.IdentifierEmail: db.ChannelEmail, db.IdentifierPhone: db.ChannelSMS}[kind]
	var code *db.Code
	err = s.inTx(ctx, c, func(ctx context.Context, tx *db.Tx, _ db.Scope) error {
		var err error
		code, err = s.flows.SendCode(ctx, tx, c.Tenant, c.Request, s.flows.Clock.Now(), flows.CodeToSend{
			FlowID: c.Session.ID, Purpose: PurposeAddIdentifier, Channel: channel, Recipient: norm,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	sentTo := norm
	if kind == db.IdentifierPhone {
		sentTo = flows.MaskPhone(norm)
	}
	return &IdentifierBinding{ID: code.ID, Kind: kind, SentTo: sentTo}, nil
}

// addable parses value as an email address or phone number the tenant
// signs in with, and refuses one the caller or another account holds.
func (s *Service) addable(ctx context.Context, c Caller, value string) (kind, norm string, err error) {
	kind, norm, ok := flows.ParseIdentifier(value)
	if !ok || (kind != db.IdentifierEmail && kind != db.IdentifierPhone) {
		return "", "", &tenants.InputError{Field: "value", Problem: "is not an email address or a phone number in international form, such as +14155550123"}
	}
	if _, used := c.Tenant.Settings.SignIn.Methods[kind]; !used && !slices.Contains(c.Tenant.Settings.SignUp.Identifiers, kind) {
		return "", "", flows.ErrMethodNotAvailable.WithField("value", "This kind of identifier is not used here.")
	}
	held, err := s.scope(c).Users().Identifier(ctx, kind, norm)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return kind, norm, nil
	case err != nil:
		return "", "", err
	case held.UserID == c.userID() && held.VerifiedAt != nil:
		return "", "", flows.ErrActionNotAllowed.WithField("value", "This is already one of your verified identifiers.")
	case held.UserID != c.userID() && held.VerifiedAt != nil:
		return "", "", flows.ErrIdentifierTaken.WithField("value", "Another account uses this identifier.")
	}
	// Unverified: the caller's own, to prove now, or another account's
	// claim, which a proof releases (flows.ProvedIdentifier).
	return kind, norm, nil
}

// ConfirmIdentifier checks the code BeginAddIdentifier sent (flows.CheckCode:
// used once, at most flows.CodeMaxAttempts checks) in the session that
// asked for it, and adds the proved identifier to the caller's account, or
// marks it verified when the caller held it unproved. An unproved claim of
// another account is released (a proof beats a claim); a verified one
// refuses with identifier_taken and nothing changes.
func (s *Service) ConfirmIdentifier(ctx context.Context, c Caller, binding, code string) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	id, err := uuid.Parse(binding)
	if err != nil {
		return nil, &tenants.InputError{Field: "binding", Problem: "is not the binding beginAddIdentifier returned"}
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
		if row.FlowID == nil || *row.FlowID != c.Session.ID || row.Purpose != PurposeAddIdentifier {
			return flows.ErrInvalidCode
		}
		if _, err := flows.CheckCode(ctx, scope, id, code, now, flows.CodeToSend{
			FlowID: c.Session.ID, Purpose: PurposeAddIdentifier, Channel: row.Channel, Recipient: row.Recipient,
		}); err != nil {
			return err
		}
		if err := claim(ctx, scope, uid, row, now); err != nil {
			return err
		}
		return s.record(ctx, c, scope, audit.Event{Type: audit.IdentifierAdded, After: map[string]any{"kind": string(row.Channel)}})
	})
	if err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}

// claim gives the proved recipient of row to user uid (flows.ProvedIdentifier
// settles who holds it).
func claim(ctx context.Context, scope db.Scope, uid uuid.UUID, row *db.Code, now time.Time) error {
	kind := db.IdentifierEmail
	if row.Channel == db.ChannelSMS {
		kind = db.IdentifierPhone
	}
	holder, _, err := flows.ProvedIdentifier(ctx, scope, kind, row.Recipient)
	switch {
	case errors.Is(err, db.ErrNotFound):
		err = scope.Users().AddIdentifier(ctx, uid, &db.Identifier{Kind: kind, Value: row.Recipient}, now)
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrIdentifierTaken.WithField("value", "Another account uses this identifier.")
		}
		return err
	case err != nil:
		return err
	case holder.ID != uid:
		return flows.ErrIdentifierTaken.WithField("value", "Another account uses this identifier.")
	}
	return nil // proved before: it is the caller's, verified
}
