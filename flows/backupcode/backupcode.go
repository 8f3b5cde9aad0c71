// Package backupcode makes and checks backup codes: single-use recovery
// codes that a user writes down when they turn on two-step verification and
// types when their other factors are out of reach.
//
// A code is 10 characters from an alphabet without the characters people
// confuse (no 0, O, 1, l or I), drawn from crypto/rand and shown as
// "xxxxx-xxxxx". The user sees the codes once; only their hashes are kept.
// Typing is forgiving: case, spaces and dashes do not matter.
//
// The package is pure: the caller stores the hashes Generate returns, and
// when Match accepts a code, deletes that hash (in the same transaction
// that accepts the sign-in) so that the code never works again.
package backupcode

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Alphabet is the characters of a code: digits 2 to 9 and the lowercase
// letters without i, l and o, so that nothing written down or read out can
// be mistaken for something else. 31 characters: each code has
// 10 × log2(31) ≈ 49.5 bits of entropy.
const Alphabet = "23456789abcdefghjkmnpqrstuvwxyz"

const (
	// Length is the number of characters in a code, without the dash.
	Length = 10
	// MinCount is the least number of codes Generate makes: enough that a
	// user who used a few still has some (SECURITY.md: "≥ 10 codes").
	MinCount = 10
	// MaxCount is the most codes Generate makes, a bound on what one
	// request can ask for.
	MaxCount = 100
)

// saltLength is the length of the random salt stored in front of each
// SHA-256 digest.
const saltLength = 16

// hashLength is the length of one stored hash: salt, then digest.
const hashLength = saltLength + sha256.Size

// ErrCount is returned by Generate for fewer than MinCount or more than
// MaxCount codes.
var ErrCount = fmt.Errorf("backupcode: the number of codes must be %d to %d", MinCount, MaxCount)

// Generate makes n distinct codes, formatted "xxxxx-xxxxx" to be shown to
// the user once, and their hashes, in the same order, to be stored.
//
// A hash is a random 16-byte salt followed by SHA-256(salt ‖ normalized
// code). A fast hash is enough here, where a password would need argon2id:
// a code is uniformly random with about 49.5 bits of entropy, so an attacker
// holding the stored hashes needs around 2^48 SHA-256 computations per code
// on average, and the salt makes that work count for one code only, never
// for every stored code at once. Such an attacker would most likely also
// hold the TOTP secrets, which the server must keep in a form it can use,
// so a slow hash here would add little against a stolen database; it would
// make every backup code sign-in cost ten argon2id runs (one per stored
// code, since all are compared).
func Generate(n int) (codes []string, hashes [][]byte, err error) {
	if n < MinCount || n > MaxCount {
		return nil, nil, ErrCount
	}
	seen := make(map[string]bool, n)
	for len(codes) < n {
		code, err := randomCode()
		if err != nil {
			return nil, nil, err
		}
		if seen[code] {
			continue // Vanishingly rare, but a repeated code would be a wasted one.
		}
		seen[code] = true
		hash, err := hashCode(code)
		if err != nil {
			return nil, nil, err
		}
		codes = append(codes, code[:Length/2]+"-"+code[Length/2:])
		hashes = append(hashes, hash)
	}
	return codes, hashes, nil
}

// Normalize returns input as a code is hashed: NFKC-normalized (so that
// full-width characters from a phone keyboard count), lowercase, without
// spaces or dashes of any kind. It does not check that the result is a
// well-formed code; Match does.
func Normalize(input string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '\u2212' { // U+2212 is the minus sign.
			return -1
		}
		return unicode.ToLower(r)
	}, norm.NFKC.String(input))
}

// Match reports whether input, normalized, is one of the codes whose hashes
// are given, and if so which (index into hashes). Every hash is computed and
// compared, whether or not an earlier one matched, so that the time taken
// does not tell which code, or how many codes, the user still has. Input
// that cannot be a code is refused before any hashing; that reveals nothing
// about the codes.
func Match(input string, hashes [][]byte) (index int, ok bool) {
	code := Normalize(input)
	if !wellFormed(code) {
		return -1, false
	}
	index, found := -1, 0
	for i, hash := range hashes {
		if len(hash) != hashLength {
			continue // A corrupt row matches nothing; its length is not secret.
		}
		digest := digestOf(hash[:saltLength], code)
		eq := subtle.ConstantTimeCompare(digest, hash[saltLength:])
		index = subtle.ConstantTimeSelect(eq, i, index)
		found |= eq
	}
	return index, found == 1
}

// randomCode returns Length characters of Alphabet, uniformly random.
func randomCode() (string, error) {
	// Rejection sampling: bytes at or above the largest multiple of
	// len(Alphabet) would favour the first characters, so they are drawn
	// again.
	const limit = 256 - 256%len(Alphabet)
	code := make([]byte, 0, Length)
	buf := make([]byte, 2*Length)
	for len(code) < Length {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("backupcode: read random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(code) < Length {
				code = append(code, Alphabet[int(b)%len(Alphabet)])
			}
		}
	}
	return string(code), nil
}

// hashCode returns a new random salt followed by the digest of code.
func hashCode(code string) ([]byte, error) {
	hash := make([]byte, saltLength, hashLength)
	if _, err := rand.Read(hash); err != nil {
		return nil, fmt.Errorf("backupcode: read salt: %w", err)
	}
	return append(hash, digestOf(hash, code)...), nil
}

// digestOf returns SHA-256(salt ‖ code).
func digestOf(salt []byte, code string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(code))
	return h.Sum(nil)
}

// wellFormed reports whether code, normalized, has Length characters of
// Alphabet.
func wellFormed(code string) bool {
	if len(code) != Length {
		return false
	}
	for i := range len(code) {
		if strings.IndexByte(Alphabet, code[i]) < 0 {
			return false
		}
	}
	return true
}
