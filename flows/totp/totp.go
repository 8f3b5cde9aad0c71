// Package totp enrols and checks time-based one-time passwords (RFC 6238),
// the codes an authenticator app shows, as a second factor.
//
// The parameters are the ones every authenticator app understands: SHA-1,
// 6 digits, a new code every 30 seconds. A code is accepted for the current
// time step of the server's clock and one step either side, to allow for a
// phone clock that is a little off and for the time it takes to type.
//
// The codes are computed by github.com/pquerna/otp, which does not stop a
// code from being used twice within its window. Validate therefore returns
// the time step of the accepted code, the caller stores it with the secret,
// and Validate refuses any code of that step or an earlier one
// (SECURITY.md: "the last accepted step stored so a code never works
// twice").
//
// The package is pure: it stores nothing, and it does not count attempts.
// The caller keeps the secret server-side, counts failed attempts (both
// ErrInvalid and ErrReplayed) and never logs a code or a secret.
package totp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	otptotp "github.com/pquerna/otp/totp"
)

// The parameters of every key and code. Authenticator apps (Google
// Authenticator among them) ignore anything else, so they are fixed.
const (
	// Digits is the number of digits in a code.
	Digits = 6
	// Period is how long one code lasts, in seconds: one time step.
	Period = 30
	// Skew is how many time steps before and after the current one are
	// also accepted.
	Skew = 1
	// SecretSize is the length of a new secret in bytes: 160 bits, the
	// size RFC 4226 recommends for HMAC-SHA-1.
	SecretSize = 20
)

var (
	// ErrInvalid is a code that is not the current code (give or take one
	// step), or that is not six digits.
	ErrInvalid = errors.New("totp: invalid code")
	// ErrReplayed is a correct code whose time step is not later than the
	// last accepted one: it, or a later code, was already used.
	ErrReplayed = errors.New("totp: code already used")
)

// Key is a new TOTP secret, with what the user needs to add it to an
// authenticator app.
type Key struct {
	// Secret is the shared secret in unpadded base32, to store (server-side
	// only) and to show for manual entry.
	Secret string
	// URL is the otpauth://totp/ URL that the QR code encodes.
	URL string

	key *otp.Key
}

// Generate creates a key with a new random secret for account (the name the
// app shows under issuer, such as the user's email address) at issuer (the
// tenant's name). Neither may be empty, and issuer may not contain ':',
// which separates the two in the URL's label.
func Generate(issuer, account string) (*Key, error) {
	if strings.Contains(issuer, ":") {
		return nil, fmt.Errorf("totp: issuer %q contains ':'", issuer)
	}
	key, err := otptotp.Generate(otptotp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      Period,
		SecretSize:  SecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("totp: generate key: %w", err)
	}
	return &Key{Secret: key.Secret(), URL: key.URL(), key: key}, nil
}

// PNG returns a size × size pixel PNG image of the QR code of k.URL, for
// the user to scan with an authenticator app. size must be at least the
// QR code's own width in modules (about 50 for a usual URL); 256 suits a
// page.
func (k *Key) PNG(size int) ([]byte, error) {
	if size <= 0 {
		return nil, fmt.Errorf("totp: QR code size %d is not positive", size)
	}
	img, err := k.key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("totp: draw QR code at %d pixels: %w", size, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: encode QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// Enrollment is what a page shows to set up an authenticator app.
type Enrollment struct {
	Secret string
	URL    string
	// QRCode is the QR code of URL as a data: URL of a PNG image.
	QRCode string
}

// Issuer is the name an authenticator app shows for a tenant: its name
// without ':' (the label's separator), else its slug.
func Issuer(name, slug string) string {
	issuer := strings.TrimSpace(strings.ReplaceAll(name, ":", " "))
	if issuer == "" {
		return slug
	}
	return issuer
}

// Enroll generates a key for account at issuer and draws its QR code at
// size pixels.
func Enroll(issuer, account string, size int) (*Enrollment, error) {
	key, err := Generate(issuer, account)
	if err != nil {
		return nil, err
	}
	img, err := key.PNG(size)
	if err != nil {
		return nil, err
	}
	return &Enrollment{Secret: key.Secret, URL: key.URL, QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)}, nil
}

// Validate checks code against secret at now, the server's clock, and
// returns the time step it was accepted for. lastStep is the step Validate
// last returned for this secret, or 0 if none: a code of that step or an
// earlier one is ErrReplayed, so the caller must store the returned step
// (atomically, with the check that it is still the stored one) before
// treating the factor as passed. A wrong code, or one that is not exactly
// six ASCII digits once spaces are removed, is ErrInvalid. Any other error
// means the stored secret is unusable.
func Validate(secret, code string, now time.Time, lastStep int64) (step int64, err error) {
	// Apps show codes as "123 456"; people type them that way.
	code = strings.ReplaceAll(code, " ", "")
	if !sixDigits(code) {
		return 0, ErrInvalid
	}
	if now.Unix() < 0 {
		return 0, fmt.Errorf("totp: clock %v is before 1970", now)
	}
	current := now.Unix() / Period
	accepted, replayed := int64(-1), false
	// Every candidate step is computed, whatever matches first, so that the
	// time taken does not tell which step matched.
	for s := current - Skew; s <= current+Skew; s++ {
		if s < 0 {
			continue
		}
		ok, err := hotp.ValidateCustom(code, uint64(s), secret, hotp.ValidateOpts{
			Digits:    otp.DigitsSix,
			Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, fmt.Errorf("totp: check code: %w", err)
		}
		switch {
		case !ok:
		case s <= lastStep:
			replayed = true
		default:
			// If the code happens to be the code of two steps, the later
			// one is recorded, so that neither can be used again.
			accepted = s
		}
	}
	if accepted >= 0 {
		return accepted, nil
	}
	if replayed {
		return 0, ErrReplayed
	}
	return 0, ErrInvalid
}

// sixDigits reports whether code is exactly Digits ASCII digits.
func sixDigits(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := range len(code) {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}
