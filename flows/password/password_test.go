package password

import (
	"crypto/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
)

// phc matches the PHC string of an argon2id hash with the current
// parameters, a 16-byte salt (22 base64 characters) and a 32-byte key (43).
var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

// weakHash encodes an argon2id hash of password made with cheap parameters,
// independently of Hash, so that tests of Verify run fast and can choose
// every parameter.
func weakHash(t *testing.T, password string, p params, saltLen, keyLen int) string {
	t.Helper()
	salt := make([]byte, saltLen)
	_, err := rand.Read(salt)
	require.NoError(t, err)
	key := argon2.IDKey([]byte(password), salt, p.iterations, p.memory, p.parallelism, uint32(keyLen))
	return encode(p, salt, key)
}

// cheap are parameters far below the current ones.
var cheap = params{memory: 64, iterations: 1, parallelism: 1}

func TestHash_ProducesArgon2idPHCStringWithCurrentParameters(t *testing.T) {
	t.Parallel()
	encoded, err := Hash("tangerine kettle on the moor")
	require.NoError(t, err)
	require.Regexp(t, phc, encoded)

	// The stored key is argon2id of the password under the stored salt,
	// computed here without the package's own decoder.
	fields := strings.Split(encoded, "$")
	salt, err := b64.DecodeString(fields[4])
	require.NoError(t, err)
	key, err := b64.DecodeString(fields[5])
	require.NoError(t, err)
	require.Len(t, salt, SaltLength)
	require.Equal(t, argon2.IDKey([]byte("tangerine kettle on the moor"), salt, 2, 19456, 1, 32), key)

	ok, needsRehash, err := Verify("tangerine kettle on the moor", encoded)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, needsRehash, "a fresh hash has the current parameters")
}

func TestHash_ParametersAreAtLeastOWASPMinimum(t *testing.T) {
	t.Parallel()
	require.GreaterOrEqual(t, Memory, uint32(19456))
	require.GreaterOrEqual(t, Iterations, uint32(2))
	require.GreaterOrEqual(t, Parallelism, uint8(1))
	require.GreaterOrEqual(t, SaltLength, 16)
	require.GreaterOrEqual(t, KeyLength, 32)
}

func TestHash_SaltsEachHashSoEqualPasswordsDiffer(t *testing.T) {
	t.Parallel()
	first, err := Hash("same passphrase twice")
	require.NoError(t, err)
	second, err := Hash("same passphrase twice")
	require.NoError(t, err)
	require.NotEqual(t, strings.Split(first, "$")[4], strings.Split(second, "$")[4], "salts differ")
	require.NotEqual(t, first, second)
}

func TestHash_RefusesEmptyPassword(t *testing.T) {
	t.Parallel()
	encoded, err := Hash("")
	require.ErrorIs(t, err, ErrEmpty)
	require.Empty(t, encoded)
}

func TestVerify_RefusesEveryOtherPassword(t *testing.T) {
	t.Parallel()
	encoded := weakHash(t, "Orchard lamp 42", cheap, 16, 32)
	for _, wrong := range []string{"", "orchard lamp 42", "Orchard lamp 43", "Orchard lamp 42 ", " Orchard lamp 42", "Orchard lamp 4"} {
		ok, needsRehash, err := Verify(wrong, encoded)
		require.NoError(t, err, "a wrong password is not an error")
		require.False(t, ok, "%q must not match", wrong)
		require.False(t, needsRehash, "no rehash without the right password")
	}
	ok, _, err := Verify("Orchard lamp 42", encoded)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestVerify_MatchesTheSamePassphraseTypedOnAnotherKeyboard(t *testing.T) {
	t.Parallel()
	// Through Hash once (argon2id at full cost is slow under the race
	// detector), then against cheap hashes of what Hash stores.
	encoded, err := Hash("caf\u00e9 au lait sur la plage") // precomposed é
	require.NoError(t, err)
	ok, _, err := Verify("cafe\u0301 au lait sur la plage", encoded) // e + combining acute accent
	require.NoError(t, err)
	require.True(t, ok)

	tests := []struct{ chosen, typed string }{
		{"cafe\u0301 au lait sur la plage", "caf\u00e9 au lait sur la plage"},
		// Full-width letters from an East Asian input method.
		{"Ｍｏｏｎｌｉｇｈｔ ｓｏｎａｔａ", "Moonlight sonata"},
		// The "fi" ligature.
		{"\ufb01ve little ducks", "five little ducks"},
	}
	for _, tt := range tests {
		encoded := weakHash(t, normalize(tt.chosen), cheap, SaltLength, KeyLength)
		for _, typed := range []string{tt.typed, tt.chosen} {
			ok, _, err := Verify(typed, encoded)
			require.NoError(t, err)
			require.True(t, ok, "%q must match %q", typed, tt.chosen)
		}
	}
}

func TestVerify_DoesNotTruncateLongPasswords(t *testing.T) {
	t.Parallel()
	// bcrypt ignores everything after 72 bytes; here every character counts.
	long := strings.Repeat("a long passphrase ", 20)
	encoded := weakHash(t, long+"x", cheap, 16, 32)
	ok, _, err := Verify(long+"y", encoded)
	require.NoError(t, err)
	require.False(t, ok)
	ok, _, err = Verify(long+"x", encoded)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestVerify_AsksForRehashWhenStoredParametersAreWeaker(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"less memory":     weakHash(t, "pw", params{memory: Memory / 2, iterations: Iterations, parallelism: Parallelism}, SaltLength, KeyLength),
		"fewer passes":    weakHash(t, "pw", params{memory: Memory, iterations: Iterations - 1, parallelism: Parallelism}, SaltLength, KeyLength),
		"shorter salt":    weakHash(t, "pw", params{memory: Memory, iterations: Iterations, parallelism: Parallelism}, 8, KeyLength),
		"shorter key":     weakHash(t, "pw", params{memory: Memory, iterations: Iterations, parallelism: Parallelism}, SaltLength, 16),
		"all much weaker": weakHash(t, "pw", cheap, SaltLength, KeyLength),
	}
	for name, encoded := range tests {
		ok, needsRehash, err := Verify("pw", encoded)
		require.NoError(t, err, name)
		require.True(t, ok, name)
		require.True(t, needsRehash, name)
	}
	ok, needsRehash, err := Verify("not pw", tests["all much weaker"])
	require.NoError(t, err)
	require.False(t, ok)
	require.False(t, needsRehash, "no rehash without the right password")
}

func TestVerify_KeepsHashesWithStrongerParameters(t *testing.T) {
	t.Parallel()
	encoded := weakHash(t, "pw", params{memory: Memory, iterations: Iterations + 1, parallelism: Parallelism + 1}, 32, 64)
	ok, needsRehash, err := Verify("pw", encoded)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, needsRehash)
}

func TestVerify_RefusesMalformedHashesWithoutPanicking(t *testing.T) {
	t.Parallel()
	valid := weakHash(t, "pw", cheap, 16, 32)
	fields := strings.Split(valid, "$")
	salt, key := fields[4], fields[5]
	// nonCanonical flips an unused low bit of the last base64 character.
	nonCanonical := func(s string) string {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		i := strings.IndexByte(alphabet, s[len(s)-1])
		return s[:len(s)-1] + string(alphabet[i^1])
	}
	short := b64.EncodeToString(make([]byte, 4))
	tests := map[string]string{
		"empty":                  "",
		"no leading dollar":      strings.TrimPrefix(valid, "$"),
		"argon2i":                "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2d":                "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"bcrypt":                 "$2b$10$abcdefghijklmnopqrstuu5Y0n4JzWvQ9kG2fLkz8YpD8bW0mJ1.",
		"old version":            "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"no version":             "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"parameters reordered":   "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"parameter missing":      "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"parameter added":        "$argon2id$v=19$m=64,t=1,p=1,k=2$" + salt + "$" + key,
		"leading zero":           "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"plus sign":              "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"negative":               "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key,
		"not a number":           "$argon2id$v=19$m=lots,t=1,p=1$" + salt + "$" + key,
		"zero passes":            "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"zero lanes":             "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"memory overflows":       "$argon2id$v=19$m=4294967296,t=1,p=1$" + salt + "$" + key,
		"memory above limit":     "$argon2id$v=19$m=2097152,t=1,p=1$" + salt + "$" + key,
		"passes above limit":     "$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + key,
		"lanes above limit":      "$argon2id$v=19$m=256,t=1,p=17$" + salt + "$" + key,
		"memory below 8 a lane":  "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key,
		"salt padded":            "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"salt URL alphabet":      "$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("-_", 11) + "$" + key,
		"salt not base64":        "$argon2id$v=19$m=64,t=1,p=1$" + "!!!!" + "$" + key,
		"salt non-canonical":     "$argon2id$v=19$m=64,t=1,p=1$" + nonCanonical(salt) + "$" + key,
		"salt too short":         "$argon2id$v=19$m=64,t=1,p=1$" + short + "$" + key,
		"salt empty":             "$argon2id$v=19$m=64,t=1,p=1$$" + key,
		"hash too short":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64.EncodeToString(make([]byte, 8)),
		"hash too long":          "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64.EncodeToString(make([]byte, 65)),
		"hash non-canonical":     "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + nonCanonical(key),
		"hash missing":           "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"extra field":            valid + "$extra",
		"trailing newline":       valid + "\n",
		"line break in the hash": "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:10] + "\r\n" + key[10:],
		"trailing space":         valid + " ",
	}
	for name, encoded := range tests {
		ok, needsRehash, err := Verify("pw", encoded)
		require.ErrorIs(t, err, ErrMalformedHash, name)
		require.False(t, ok, name)
		require.False(t, needsRehash, name)
	}
	ok, _, err := Verify("pw", valid)
	require.NoError(t, err, "the unmodified hash is valid")
	require.True(t, ok)
}

func FuzzVerify_NeverPanics(f *testing.F) {
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MDA")
	f.Add("pw", "$argon2id$v=19$m=0,t=0,p=0$$")
	f.Add("", "$$$$$")
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, needsRehash, err := Verify(password, encoded)
		if err != nil {
			require.False(t, ok)
			require.False(t, needsRehash)
		}
	})
}

// BenchmarkHash measures one hash with the current parameters: the cost of
// one password sign-in on the server.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
