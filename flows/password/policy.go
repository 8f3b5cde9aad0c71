package password

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// LowestMaxLength is the least maximum length, in characters, that Check
// applies whatever Policy.MaxLength says: long passphrases are what people
// should be choosing, and a cap below 64 would push them towards short
// passwords (SECURITY.md: "no length cap below 64").
const LowestMaxLength = 64

// The reasons a Policy refuses a password. Check returns a *PolicyError
// that wraps one of them, so callers can test errors.Is(err, ErrTooShort)
// and still show the PolicyError's message, which names the limit.
var (
	// ErrTooShort: the password has fewer characters than the policy's
	// minimum.
	ErrTooShort = errors.New("This password is too short. Use a longer one: a few unrelated words make a password that is long and easy to remember.")
	// ErrTooLong: the password has more characters than the policy's
	// maximum.
	ErrTooLong = errors.New("This password is too long. Use a shorter one.")
	// ErrCommon: the password is on the list of common passwords, the ones
	// attackers try first.
	ErrCommon = errors.New("This password is one of the most common passwords, which attackers try first. Choose a different one.")
)

// PolicyError is a password refused by a Policy. Its message is meant for
// the person choosing the password and tells them what to do; it never
// contains the password.
type PolicyError struct {
	// Reason is ErrTooShort, ErrTooLong or ErrCommon.
	Reason error
	// Limit is the minimum (ErrTooShort) or maximum (ErrTooLong) length in
	// characters that was applied; 0 for ErrCommon.
	Limit int
}

// Error returns a message for the user, naming the limit when there is one.
func (e *PolicyError) Error() string {
	switch e.Reason {
	case ErrTooShort:
		return fmt.Sprintf("This password is too short. Use at least %d characters: a few unrelated words make a password that is long and easy to remember.", e.Limit)
	case ErrTooLong:
		return fmt.Sprintf("This password is too long. Use at most %d characters.", e.Limit)
	}
	return e.Reason.Error()
}

// Params name the refusal for a page that words it in another language:
// "reason" (too_short, too_long, common) and "limit", the length applied.
func (e *PolicyError) Params() map[string]any {
	reason := map[error]string{ErrTooShort: "too_short", ErrTooLong: "too_long", ErrCommon: "common"}[e.Reason]
	return map[string]any{"reason": reason, "limit": e.Limit}
}

// Unwrap returns Reason, so that errors.Is matches the sentinel errors.
func (e *PolicyError) Unwrap() error { return e.Reason }

// Policy is a tenant's rules for new passwords, checked when a password is
// chosen (sign-up, change, reset), never at sign-in, so that tightening a
// policy does not lock anyone out. Lengths are counted in characters
// (Unicode code points) after NFKC normalization, as the password is hashed,
// so that "é" counts once however it was typed. tenants.PasswordPolicy
// holds the configured values and validates them (MinLength at least 8).
type Policy struct {
	// MinLength is the least number of characters.
	MinLength int
	// MaxLength is the most characters; values below LowestMaxLength are
	// raised to it.
	MaxLength int
	// RejectCommon refuses the passwords on the embedded list of common
	// passwords (see IsCommon).
	RejectCommon bool
}

// Check returns nil when password may be chosen under p, or a *PolicyError
// saying why not: too short, then too long, then common.
func (p Policy) Check(password string) error {
	n := utf8.RuneCountInString(normalize(password))
	if n < p.MinLength {
		return &PolicyError{Reason: ErrTooShort, Limit: p.MinLength}
	}
	if max := max(p.MaxLength, LowestMaxLength); n > max {
		return &PolicyError{Reason: ErrTooLong, Limit: max}
	}
	if p.RejectCommon && IsCommon(password) {
		return &PolicyError{Reason: ErrCommon}
	}
	return nil
}
