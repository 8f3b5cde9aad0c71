// Package password hashes, verifies and vets passwords, for the tenants
// that let people sign in with one next to, or instead of, a passkey.
//
// Passwords are hashed with argon2id (RFC 9106) and stored as a PHC string,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", which carries its own
// parameters so that they can be raised later: Verify reports a stored hash
// made with weaker parameters than the current ones, and the caller then
// stores a fresh Hash of the password it has just verified.
//
// Every password is NFKC-normalized first, in Hash, Verify and Policy.Check
// alike, so that the same passphrase typed on two keyboards (a precomposed
// "é" or "e" plus a combining accent, full-width letters from an East Asian
// input method) is the same password. Nothing is truncated.
//
// The package is pure: it stores nothing. The caller stores the string Hash
// returns, rate-limits attempts and never logs a password.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// The argon2id parameters of new hashes. They are OWASP's argon2id minimum
// (19 MiB, two passes, one lane), chosen for a 2-core server: one hash takes
// about 30 ms on one core of the development machine (BenchmarkHash: 28 ms
// idle, 42 ms busy), so two cores verify some 50 to 70 passwords a second,
// and each sign-in holds 19 MiB only while it hashes. One lane, because a
// second lane would only compete with the other requests for the same two
// cores. Raise them as servers grow; existing hashes are upgraded at their
// next sign-in (see Verify).
const (
	// Memory is the memory cost in KiB.
	Memory uint32 = 19456
	// Iterations is the number of passes over the memory.
	Iterations uint32 = 2
	// Parallelism is the number of lanes.
	Parallelism uint8 = 1
	// SaltLength is the length in bytes of the random salt of each hash.
	SaltLength = 16
	// KeyLength is the length in bytes of the derived key.
	KeyLength = 32
)

// Limits on the parameters Verify accepts from a stored hash, so that a
// corrupt or hostile row cannot make one sign-in allocate gigabytes or run
// for minutes. They are far above anything Hash produces.
const (
	maxMemory      = 1 << 20 // KiB: 1 GiB.
	maxIterations  = 64
	maxParallelism = 16
	minSaltLength  = 8 // RFC 9106's minimum.
	maxSaltLength  = 64
	minKeyLength   = 16
	maxKeyLength   = 64
)

// ErrEmpty is returned by Hash for the empty password: an account is never
// protected by nothing, even if a caller forgot to call Policy.Check.
var ErrEmpty = errors.New("password: empty password")

// ErrMalformedHash is returned by Verify when the stored string is not an
// argon2id PHC string this package can verify. It means a corrupt or
// foreign row, never a wrong password.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hash derives an argon2id hash of the NFKC-normalized password with a new
// random salt and returns it as a PHC string, to be stored and later given
// to Verify. Two hashes of the same password differ.
func Hash(password string) (string, error) {
	if password == "" {
		return "", ErrEmpty
	}
	salt := make([]byte, SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: read salt: %w", err)
	}
	p := params{memory: Memory, iterations: Iterations, parallelism: Parallelism}
	key := argon2.IDKey([]byte(normalize(password)), salt, p.iterations, p.memory, p.parallelism, KeyLength)
	return encode(p, salt, key), nil
}

// Verify reports whether password matches encoded, a string returned by
// Hash. needsRehash is true when the password matches but encoded was made
// with parameters below the current ones (Memory, Iterations, Parallelism,
// SaltLength, KeyLength): the caller should then store Hash(password). err
// is ErrMalformedHash (wrapped) when encoded cannot be parsed; a wrong
// password is ok == false with a nil error.
func Verify(password, encoded string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(normalize(password)), salt, p.iterations, p.memory, p.parallelism, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	weaker := p.memory < Memory || p.iterations < Iterations || p.parallelism < Parallelism ||
		len(salt) < SaltLength || len(want) < KeyLength
	return true, weaker, nil
}

// normalize returns the NFKC form of password, the form that is hashed,
// measured and looked up.
func normalize(password string) string {
	return norm.NFKC.String(password)
}

// params are the argon2id cost parameters of one hash.
type params struct {
	memory      uint32
	iterations  uint32
	parallelism uint8
}

// b64 is the PHC string format's base64: standard alphabet, no padding, and
// strict, so that each salt and hash has exactly one accepted spelling.
var b64 = base64.RawStdEncoding.Strict()

// encode formats a hash as a PHC string.
func encode(p params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.iterations, p.parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC string strictly: the argon2id variant, version 19,
// the parameters m, t and p in that order as canonical decimals within the
// limits above, and a salt and hash in unpadded standard base64 of
// acceptable lengths. Anything else is ErrMalformedHash, so that no stored
// value can make argon2 panic or run unbounded.
func decode(encoded string) (p params, salt, key []byte, err error) {
	fail := func(format string, args ...any) (params, []byte, []byte, error) {
		return params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	// The base64 decoder skips CR and LF; a stored hash has neither.
	if strings.ContainsAny(encoded, "\r\n") {
		return fail("contains a line break")
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return fail("want 5 fields separated by '$', got %d", len(fields)-1)
	}
	if fields[1] != "argon2id" {
		return fail("algorithm %q is not argon2id", fields[1])
	}
	version, ok := strings.CutPrefix(fields[2], "v=")
	if !ok || version != strconv.Itoa(argon2.Version) {
		return fail("version field %q is not v=%d", fields[2], argon2.Version)
	}
	parts := strings.Split(fields[3], ",")
	if len(parts) != 3 {
		return fail("parameters %q are not m=…,t=…,p=…", fields[3])
	}
	memory, err := parseParam(parts[0], "m", maxMemory)
	if err != nil {
		return fail("%v", err)
	}
	iterations, err := parseParam(parts[1], "t", maxIterations)
	if err != nil {
		return fail("%v", err)
	}
	parallelism, err := parseParam(parts[2], "p", maxParallelism)
	if err != nil {
		return fail("%v", err)
	}
	if memory < 8*parallelism {
		return fail("memory %d KiB is below 8 KiB per lane", memory)
	}
	salt, err = b64.DecodeString(fields[4])
	if err != nil {
		return fail("salt is not unpadded base64")
	}
	if len(salt) < minSaltLength || len(salt) > maxSaltLength {
		return fail("salt has %d bytes, want %d to %d", len(salt), minSaltLength, maxSaltLength)
	}
	key, err = b64.DecodeString(fields[5])
	if err != nil {
		return fail("hash is not unpadded base64")
	}
	if len(key) < minKeyLength || len(key) > maxKeyLength {
		return fail("hash has %d bytes, want %d to %d", len(key), minKeyLength, maxKeyLength)
	}
	return params{memory: memory, iterations: iterations, parallelism: uint8(parallelism)}, salt, key, nil
}

// parseParam parses "name=value" where value is a decimal from 1 to max
// without sign or leading zeros.
func parseParam(s, name string, max uint32) (uint32, error) {
	value, ok := strings.CutPrefix(s, name+"=")
	if !ok {
		return 0, fmt.Errorf("parameter %q is not %s=…", s, name)
	}
	if value == "" || value[0] == '0' || strings.TrimLeft(value, "0123456789") != "" {
		return 0, fmt.Errorf("parameter %s=%q is not a positive decimal", name, value)
	}
	n, err := strconv.ParseUint(value, 10, 32)
	if err != nil || n > uint64(max) {
		return 0, fmt.Errorf("parameter %s=%s is above %d", name, value, max)
	}
	return uint32(n), nil
}
