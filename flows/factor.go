package flows

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/backupcode"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/tenants"
)

// The second factors' checks, written once for every door: the sign-in's
// second factor (flows/signin), re-verification (flows/reverify), enrolment
// at sign-up (flows/signup) and the account service (flows/account).
//
// Every check of a code a person types against one of the user's factors
// counts first on one per-user limit (CountFactorAttempt: FactorAttemptsPerUser
// per FactorAttemptWindow, on the tenant scope's rate counter): a six-digit
// code must not become guessable by switching between sign-in,
// re-verification and setting up a new authenticator app. SMS codes carry
// their own per-code cap too (CheckCode).

// Limit on factor attempts, per user, counted before each check.
const (
	// FactorAttemptWindow is the fixed window of the limit.
	FactorAttemptWindow = 15 * time.Minute
	// FactorAttemptsPerUser is how many factor attempts (passkey answers,
	// TOTP, SMS and backup codes together, at sign-in, re-verification and
	// enrolment) one user gets per window.
	FactorAttemptsPerUser = 10
)

// BackupCodeCount is how many backup codes a user gets, at sign-up and
// when regenerating them.
const BackupCodeCount = 10

// PurposeBindPhone is the purpose of a code that proves a phone number
// before it becomes the user's SMS factor.
const PurposeBindPhone = "bind"

// FactorEnabled reports whether the tenant turned the second factor on
// (tenants.Factor…).
func FactorEnabled(t *tenants.Tenant, factor string) bool {
	return slices.Contains(t.Settings.MFA.Factors, factor)
}

// FactorOn refuses a second factor the tenant has turned off, with
// ErrMethodNotAvailable.
func FactorOn(t *tenants.Tenant, factor string) error {
	if !FactorEnabled(t, factor) {
		return ErrMethodNotAvailable.WithField("", "This way to verify is not available here. Try another method to verify.")
	}
	return nil
}

// CountFactorAttempt counts one factor attempt by the user in tx and
// returns ErrTooManyAttempts once the user is over FactorAttemptsPerUser
// in the window. Call it before checking the factor, and commit the count
// even when the check fails (Fail), so wrong guesses add up.
func CountFactorAttempt(ctx context.Context, tx *db.Tx, tenantID, userID uuid.UUID, now time.Time) error {
	return countFactorAttempt(ctx, tx.ForTenant(tenantID), userID, now)
}

func countFactorAttempt(ctx context.Context, scope db.Scope, userID uuid.UUID, now time.Time) error {
	n, err := scope.Hit(ctx, "user:"+userID.String()+":mfa", FactorAttemptWindow, now)
	if err != nil {
		return err
	}
	if n > FactorAttemptsPerUser {
		return ErrTooManyAttempts
	}
	return nil
}

// TOTPState names which of the user's authenticator apps a code is checked
// against.
type TOTPState int

const (
	// TOTPConfirmed is the app that proves the user: a second factor at
	// sign-in, or re-verification.
	TOTPConfirmed TOTPState = iota
	// TOTPPending is an app being set up (TOTPStore.Start): a right first
	// code confirms it.
	TOTPPending
)

// Public errors of a TOTP check.
var (
	// errTOTPWrong is a wrong or replayed code.
	errTOTPWrong = ErrInvalidCode
	// errTOTPWrongFirst is a wrong first code of an app being set up.
	errTOTPWrongFirst = ErrInvalidCode.WithField("code", "That code is not right. Enter the 6-digit code your authenticator app shows now.")
	// errTOTPNotStarted is a first code with no app being set up.
	errTOTPNotStarted = ErrActionNotAllowed.WithField("", "Start setting up the authenticator app first.")
)

// VerifyTOTP is the one check of an authenticator-app code, which every
// door calls: it counts the attempt on the per-user limit
// (CountFactorAttempt), checks code against the user's app in state want,
// and accepts its time step atomically, so that a code works once (a
// replay is a wrong code) and, for TOTPPending, the app is confirmed.
//
// Its refusals are marked with Fail, so the attempt counted commits:
// ErrTooManyAttempts, ErrInvalidCode, and for TOTPPending with no app being
// set up ErrActionNotAllowed.
func VerifyTOTP(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time, want TOTPState) error {
	return counted(ctx, scope, userID, now, func() error {
		return checkTOTP(ctx, scope, userID, code, now, want)
	})
}

// VerifyBackupCode is the backup-code check on the same per-user limit:
// it counts the attempt, then CheckBackupCode. Its refusals
// (ErrTooManyAttempts, ErrInvalidCode) are marked with Fail.
func VerifyBackupCode(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time) error {
	return counted(ctx, scope, userID, now, func() error {
		return CheckBackupCode(ctx, scope, userID, code, now)
	})
}

// counted counts one factor attempt of the user, then runs check; a public
// refusal of either is marked with Fail, so the count commits.
func counted(ctx context.Context, scope db.Scope, userID uuid.UUID, now time.Time, check func() error) error {
	err := countFactorAttempt(ctx, scope, userID, now)
	if err == nil {
		err = check()
	}
	var pe *Error
	if errors.As(err, &pe) {
		return Fail(err)
	}
	return err
}

// CheckTOTP checks code against the user's confirmed authenticator app
// without counting the attempt: for re-verification, which counts every
// factor's attempt on the same limit before it picks the factor's check.
// Every other door calls VerifyTOTP. A wrong, replayed or missing code is
// ErrInvalidCode.
func CheckTOTP(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time) error {
	return checkTOTP(ctx, scope, userID, code, now, TOTPConfirmed)
}

func checkTOTP(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time, want TOTPState) error {
	wrong := errTOTPWrong
	if want == TOTPPending {
		wrong = errTOTPWrongFirst
	}
	f, err := scope.TOTP().Get(ctx, userID)
	switch {
	case errors.Is(err, db.ErrNotFound) && want == TOTPPending:
		return errTOTPNotStarted
	case errors.Is(err, db.ErrNotFound):
		return wrong
	case err != nil:
		return err
	case want == TOTPPending && f.ConfirmedAt != nil:
		return errTOTPNotStarted
	case want == TOTPConfirmed && f.ConfirmedAt == nil:
		return wrong
	}
	accepted, err := totp.Validate(f.Secret, code, now, f.LastStep)
	if errors.Is(err, totp.ErrInvalid) || errors.Is(err, totp.ErrReplayed) {
		return wrong
	}
	if err != nil {
		return err
	}
	// Atomic: of two requests with one code, only one gets here.
	if err := scope.TOTP().Accept(ctx, userID, accepted, now); errors.Is(err, db.ErrReplayed) {
		return wrong
	} else if err != nil {
		return err
	}
	return nil
}

// CheckBackupCode checks code against the user's unused backup codes and
// uses the one it matches, without counting the attempt: for
// re-verification, which counts first; every other door calls
// VerifyBackupCode. No match is ErrInvalidCode.
func CheckBackupCode(ctx context.Context, scope db.Scope, userID uuid.UUID, code string, now time.Time) error {
	codes, err := scope.BackupCodes().Unused(ctx, userID)
	if err != nil {
		return err
	}
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = c.CodeHash
	}
	i, ok := backupcode.Match(code, hashes)
	if !ok {
		return ErrInvalidCode
	}
	// Single use: of two requests with one code, only one marks it.
	if err := scope.BackupCodes().Use(ctx, userID, codes[i].ID, now); errors.Is(err, db.ErrNotFound) {
		return ErrInvalidCode
	} else if err != nil {
		return err
	}
	return nil
}

// IssueBackupCodes gives the user BackupCodeCount new backup codes,
// replacing any left, and returns them to be shown once.
func IssueBackupCodes(ctx context.Context, scope db.Scope, userID uuid.UUID, now time.Time) ([]string, error) {
	codes, hashes, err := backupcode.Generate(BackupCodeCount)
	if err != nil {
		return nil, err
	}
	if err := scope.BackupCodes().Replace(ctx, userID, hashes, now); err != nil {
		return nil, err
	}
	return codes, nil
}

// BindSMSFactor checks the code sent (CheckCode, with its per-code cap) to
// prove sent.Recipient and, when right, makes that number the user's SMS
// factor. sent.Purpose is PurposeBindPhone.
func BindSMSFactor(ctx context.Context, scope db.Scope, userID, codeID uuid.UUID, code string, now time.Time, sent CodeToSend) error {
	if _, err := CheckCode(ctx, scope, codeID, code, now, sent); err != nil {
		return err
	}
	return scope.SMSFactors().Set(ctx, userID, sent.Recipient, now)
}
