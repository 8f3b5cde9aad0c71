package account

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// PasskeyName checks a name a person gave a passkey (flows.PasskeyName);
// here it may not be empty.
func PasskeyName(name string) (string, error) {
	name, err := flows.PasskeyName(name)
	if err == nil && name == "" {
		return "", &tenants.InputError{Field: "name", Problem: "is empty; give the passkey a name you will recognize, such as the device it is on"}
	}
	return name, err
}

// RenamePasskey renames one of the caller's passkeys and returns it.
func (s *Service) RenamePasskey(ctx context.Context, c Caller, id uuid.UUID, name string) (*db.Credential, error) {
	clean, err := PasskeyName(name)
	if err != nil {
		return nil, err
	}
	creds := s.scope(c).Credentials()
	if err := creds.Rename(ctx, c.userID(), id, clean); err != nil {
		return nil, err
	}
	return creds.Get(ctx, c.userID(), id)
}

// RemovePasskey removes one of the caller's passkeys, unless it is the
// last way to sign in, then applies the MFA policy.
func (s *Service) RemovePasskey(ctx context.Context, c Caller, id uuid.UUID) error {
	if err := s.recentlyVerified(c); err != nil {
		return err
	}
	uid := c.userID()
	return s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		if _, err := scope.Credentials().Get(ctx, uid, id); err != nil {
			return err
		}
		left, err := signInMethods(ctx, c.Tenant, scope, c.Session.User, id)
		if err != nil {
			return err
		}
		if left == 0 {
			return ErrLastSignInMethod
		}
		if err := scope.Credentials().Delete(ctx, uid, id); err != nil {
			return err
		}
		return afterFactorRemoved(ctx, c.Tenant, scope, uid)
	})
}

// RemoveFactor removes the caller's authenticator app
// (tenants.FactorTOTP) or SMS number (tenants.FactorSMS), then applies the
// MFA policy, and returns the user.
func (s *Service) RemoveFactor(ctx context.Context, c Caller, factor string) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	uid := c.userID()
	err := s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
		var err error
		switch factor {
		case tenants.FactorTOTP:
			err = scope.TOTP().Remove(ctx, uid)
		case tenants.FactorSMS:
			err = scope.SMSFactors().Remove(ctx, uid)
		default:
			err = flows.ErrMethodNotAvailable
		}
		if err != nil {
			return err
		}
		return afterFactorRemoved(ctx, c.Tenant, scope, uid)
	})
	if err != nil {
		return nil, err
	}
	return s.user(ctx, c)
}

// SetMFA turns the caller's 2-step verification on (with a second factor
// set up) or off (unless the policy is mandatory), and returns the user.
func (s *Service) SetMFA(ctx context.Context, c Caller, enabled bool) (*db.User, error) {
	if err := s.recentlyVerified(c); err != nil {
		return nil, err
	}
	if !enabled && c.Tenant.Settings.MFA.Policy == tenants.MFAMandatory {
		return nil, ErrMFARequired
	}
	uid := c.userID()
	err := s.inTx(ctx, c, func(ctx context.Context, _ *db.Tx, scope db.Scope) error {
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
	return s.user(ctx, c)
}

// signInMethods counts u's ways to sign in other than skip (a passkey, an
// identifier or a linked upstream identity being removed).
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
	linked, err := scope.FederatedIdentities().ByUser(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	for _, fi := range linked {
		if fi.ID != skip {
			n++
		}
	}
	ids, err := scope.Users().Identifiers(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		method := map[string]string{db.IdentifierEmail: tenants.MethodEmailCode, db.IdentifierPhone: tenants.MethodSMSCode}[id.Kind]
		if id.ID != skip && id.VerifiedAt != nil && method != "" && slices.Contains(t.Settings.SignIn.Methods[id.Kind], method) {
			n++
		}
	}
	return n, nil
}

// primaryFactors counts the user's second factors other than backup codes:
// passkeys, a confirmed authenticator app, an SMS number.
func primaryFactors(ctx context.Context, scope db.Scope, uid uuid.UUID) (int, error) {
	creds, err := scope.Credentials().ByUser(ctx, uid, "")
	if err != nil {
		return 0, err
	}
	n := len(creds)
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
func afterFactorRemoved(ctx context.Context, t *tenants.Tenant, scope db.Scope, uid uuid.UUID) error {
	n, err := primaryFactors(ctx, scope, uid)
	if err != nil || n > 0 {
		return err
	}
	if t.Settings.MFA.Policy == tenants.MFAMandatory {
		return ErrMFARequired.WithField("", "2-step verification is required here: add another way to verify before removing the last one.")
	}
	return scope.Users().SetMFA(ctx, uid, false)
}
