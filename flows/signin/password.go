package signin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/tenants"
)

// Limits on password attempts. An attempt is counted before the password
// is checked, right or wrong. The account limit is keyed on the account
// (its user id), not on what was typed, so an email address and a username
// of one account share it; an unknown identifier is limited on its own, so
// unknown and known identifiers behave alike. The IP limit bounds one
// client trying many accounts (password spraying) in one tenant.
const (
	// PasswordWindow is the fixed window of both password limits.
	PasswordWindow = 15 * time.Minute
	// PasswordAttemptsPerAccount is how many password attempts one account
	// (or unknown identifier) gets per window: enough for a person who
	// mistypes, far too few to guess.
	PasswordAttemptsPerAccount = 10
	// PasswordAttemptsPerIP is how many password attempts one client IP
	// gets per window in one tenant: room for an office behind one
	// address, not for spraying.
	PasswordAttemptsPerIP = 100
)

// dummyHash is a hash of a random password with the current parameters,
// verified for unknown users and users without a password so that their
// attempt takes as long as a real one. Made once, on first use.
var dummyHash = sync.OnceValues(func() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return password.Hash(hex.EncodeToString(b))
})

func (a *actions) password(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return flows.ErrInvalidInput.WithField("password", "Enter your password.")
	}
	c := step.Context
	if !slices.Contains(fallbackMethods(step.Tenant, c.IdentifierKind), MethodPassword) {
		return flows.ErrMethodNotAvailable.WithField("password", "Password sign-in is not available for this kind of account name. Choose another way to sign in.")
	}

	// Count first, whatever the outcome; every failure below is a
	// flows.Fail so that the count is committed with the flow.
	account := "identifier:" + c.IdentifierKind + ":" + c.Identifier
	if c.UserID != nil {
		account = "user:" + c.UserID.String()
	}
	over, err := a.overLimit(ctx, step, []limit{
		{key: account + ":password", max: PasswordAttemptsPerAccount},
		{key: "ip:" + step.Request.IP + ":password", max: PasswordAttemptsPerIP},
	}, PasswordWindow)
	if err != nil {
		return err
	}
	if over {
		a.audit(ctx, step, MethodPassword, c.UserID, flows.ErrTooManyAttempts.Code)
		return flows.Fail(flows.ErrTooManyAttempts)
	}

	var user *db.User
	if c.UserID != nil {
		user, err = step.Scope.Users().ByID(ctx, *c.UserID)
		if errors.Is(err, db.ErrNotFound) {
			user = nil
		} else if err != nil {
			return err
		}
	}
	if user != nil && user.SSO {
		a.audit(ctx, step, MethodPassword, &user.ID, flows.ErrSSORequired.Code)
		return flows.Fail(ssoRequired(ctx, step, user.ID, "This account signs in with your organization's single sign-on, not with a password. Use your organization's sign-in page."))
	}
	usable := user != nil && user.DisabledAt == nil && user.PasswordHash != ""
	var hash string
	if usable {
		hash = user.PasswordHash
	} else if hash, err = dummyHash(); err != nil {
		return fmt.Errorf("dummy password hash: %w", err)
	}
	ok, rehash, err := password.Verify(in.Password, hash)
	if err != nil {
		// A corrupt stored hash: the user cannot sign in with it, and the
		// client sees what a wrong password shows.
		a.Logger.ErrorContext(ctx, "stored password hash unusable", "tenant", step.Tenant.Slug, "user", c.UserID, "err", err)
		ok = false
	}
	if !usable || !ok {
		a.audit(ctx, step, MethodPassword, c.UserID, flows.ErrInvalidCredentials.Code)
		return flows.Fail(flows.ErrInvalidCredentials)
	}
	if rehash {
		if fresh, err := password.Hash(in.Password); err == nil {
			if err := step.Scope.Users().SetPassword(ctx, user.ID, fresh); err != nil {
				return err
			}
		}
	}

	return a.firstFactorPassed(ctx, step, user, MethodPassword, flows.AMRPassword)
}

// firstFactorPassed is the one gate after a first factor other than a
// passkey (a password, a code): with no second factor needed it signs
// user in with amr; otherwise it leads to mfa (or, under the mandatory
// policy with no factor yet, to mfa_enroll: see enrol.go), with no
// session, recording amr as the flow's first factor. It never issues a session for a user
// who needs a second factor.
func (a *actions) firstFactorPassed(ctx context.Context, step *flows.Step[Context], user *db.User, method, amr string) error {
	c := step.Context
	mfaPolicy := step.Tenant.Settings.MFA.Policy == tenants.MFAMandatory
	if !user.MFAEnabled && !mfaPolicy {
		step.TakeCeremony()
		return a.signIn(ctx, step, user.ID, method, amr)
	}
	needed, err := a.usableFactors(ctx, step, user, amr)
	if err != nil {
		return err
	}
	if len(needed.Factors) == 0 && amr == flows.AMRSMS {
		// The user's only second factor is SMS, which an SMS code as the
		// first factor cannot stand in for (see usableFactors): another
		// first factor gets them there.
		if other, err := a.usableFactors(ctx, step, user, ""); err != nil {
			return err
		} else if slices.Contains(other.Factors, FactorSMS) {
			a.audit(ctx, step, method, &user.ID, flows.ErrMethodNotAvailable.Code)
			return flows.Fail(flows.ErrMethodNotAvailable.WithField("", "Your 2-step verification sends its codes to this phone too, so a code sent to it cannot be both steps. Sign in with your password or another method instead; we'll then text you the second code."))
		}
	}
	if len(needed.Factors) == 0 && a.toEnrol(ctx, step, user, method, amr) {
		// Mandatory, and no factor yet: one is set up first (enrol.go).
		return nil
	}
	if len(needed.Factors) == 0 {
		// The first factor was right, but there is no second factor to
		// pass, nor one this user may set up here: never a session on
		// the first factor alone.
		a.audit(ctx, step, method, &user.ID, flows.ErrMFAEnrollmentRequired.Code)
		return flows.Fail(flows.ErrMFAEnrollmentRequired)
	}
	step.TakeCeremony()
	c.FirstFactor = amr
	step.Next = MFA
	step.Output = needed
	a.audit(ctx, step, method, &user.ID, "mfa_required")
	return nil
}

// limit is one rate limit to hit.
type limit struct {
	key string
	max int
}

// overLimit counts one attempt against each limit (keys are put under the
// tenant) in the request's transaction and reports whether any is over.
func (a *actions) overLimit(ctx context.Context, step *flows.Step[Context], limits []limit, window time.Duration) (bool, error) {
	over := false
	for _, l := range limits {
		n, err := step.Tx.ForTenant(step.Tenant.ID).Hit(ctx, l.key, window, step.Now)
		if err != nil {
			return false, err
		}
		if n > l.max {
			over = true
		}
	}
	return over, nil
}

// signIn issues the session that ends the flow.
func (a *actions) signIn(ctx context.Context, step *flows.Step[Context], userID uuid.UUID, method string, amr ...string) error {
	if err := a.completeLink(ctx, step, userID); err != nil {
		return err
	}
	step.IssueSession(userID, amr)
	step.Next = flows.Done
	step.Output = signedIn{UserID: userID}
	a.audit(ctx, step, method, &userID, "success")
	return nil
}
