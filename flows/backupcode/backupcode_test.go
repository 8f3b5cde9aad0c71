package backupcode

import (
	"bytes"
	"crypto/sha256"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// shown is the form a code is shown in.
var shown = regexp.MustCompile(`^[23456789abcdefghjkmnpqrstuvwxyz]{5}-[23456789abcdefghjkmnpqrstuvwxyz]{5}$`)

// generate returns n new codes and their hashes.
func generate(t *testing.T, n int) ([]string, [][]byte) {
	t.Helper()
	codes, hashes, err := Generate(n)
	require.NoError(t, err)
	require.Len(t, codes, n)
	require.Len(t, hashes, n)
	return codes, hashes
}

func TestGenerate_MakesTenDistinctCodesShownAsTwoGroupsOfFive(t *testing.T) {
	t.Parallel()
	codes, hashes := generate(t, 10)
	seenCodes, seenHashes := map[string]bool{}, map[string]bool{}
	for i, code := range codes {
		require.Regexp(t, shown, code)
		require.False(t, strings.ContainsAny(code, "0O1lIio"), "code %q has a confusable character", code)
		require.False(t, seenCodes[code], "code %q repeated", code)
		seenCodes[code] = true
		require.Len(t, hashes[i], hashLength)
		require.False(t, seenHashes[string(hashes[i])], "hash repeated")
		seenHashes[string(hashes[i])] = true
	}
}

func TestGenerate_RefusesFewerThanTenCodes(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, 0, 1, 9, MaxCount + 1} {
		codes, hashes, err := Generate(n)
		require.ErrorIs(t, err, ErrCount, "n=%d", n)
		require.Nil(t, codes)
		require.Nil(t, hashes)
	}
	generate(t, MaxCount)
}

func TestGenerate_DrawsFromTheWholeAlphabet(t *testing.T) {
	t.Parallel()
	// 1,000 characters over 31: each is expected about 32 times, and a
	// missing one (a broken draw) would be a one in 10^13 accident.
	codes, _ := generate(t, MaxCount)
	all := strings.Join(codes, "")
	for _, c := range Alphabet {
		require.Contains(t, all, string(c))
	}
	require.Len(t, Alphabet, 31)
	require.False(t, strings.ContainsAny(Alphabet, "0O1lIio"))
}

func TestGenerate_HashesAreSaltedSHA256OfTheNormalizedCode(t *testing.T) {
	t.Parallel()
	codes, hashes := generate(t, 10)
	for i, code := range codes {
		salt, digest := hashes[i][:16], hashes[i][16:]
		want := sha256.Sum256(append(slices.Clone(salt), strings.ReplaceAll(code, "-", "")...))
		require.Equal(t, want[:], digest)
	}
}

func TestNormalize_AcceptsTheUsersTypingVariants(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{
		"abcde-fghjk",
		"ABCDE-FGHJK",
		"abcdefghjk",
		"abcde fghjk",
		"  abcde-fghjk\n",
		"ab cd ef gh jk",
		"abcde\u2013fghjk", // en dash, from a phone's smart punctuation
		"abcde\u2212fghjk", // minus sign
		"ＡＢＣＤＥ－ＦＧＨＪＫ",      // full-width, from an East Asian keyboard
		"abcde\u00a0fghjk", // no-break space, from a copy and paste
	} {
		require.Equal(t, "abcdefghjk", Normalize(typed), "%q", typed)
	}
}

func TestMatch_AcceptsEachCodeAgainstItsOwnHashOnly(t *testing.T) {
	t.Parallel()
	codes, hashes := generate(t, 10)
	for i, code := range codes {
		for _, typed := range []string{code, strings.ToUpper(code), strings.ReplaceAll(code, "-", ""), strings.ReplaceAll(code, "-", " ")} {
			index, ok := Match(typed, hashes)
			require.True(t, ok, "%q", typed)
			require.Equal(t, i, index)
		}
		for j := range hashes {
			_, ok := Match(code, [][]byte{hashes[j]})
			require.Equal(t, i == j, ok, "code %d against hash %d", i, j)
		}
	}
}

func TestMatch_RefusesACodeTheCallerRemovedAfterUse(t *testing.T) {
	t.Parallel()
	codes, hashes := generate(t, 10)
	index, ok := Match(codes[3], hashes)
	require.True(t, ok)
	remaining := slices.Delete(slices.Clone(hashes), index, index+1)

	index, ok = Match(codes[3], remaining)
	require.False(t, ok, "a used code no longer works")
	require.Equal(t, -1, index)

	// The other codes still work, at their new positions.
	for i, code := range codes {
		if i == 3 {
			continue
		}
		index, ok := Match(code, remaining)
		require.True(t, ok)
		require.True(t, bytes.Equal(hashes[i], remaining[index]))
	}
}

func TestMatch_RefusesWrongAndMalformedInput(t *testing.T) {
	t.Parallel()
	codes, hashes := generate(t, 10)
	other, _ := generate(t, 10)
	corrupt := append(slices.Clone(hashes), nil, []byte("short"), bytes.Repeat([]byte{0}, hashLength))
	for _, input := range []string{
		"",
		"abc",
		other[0],                // well-formed, not one of these codes
		codes[0] + "2",          // one character too many
		codes[0][:10],           // one too few
		strings.Repeat("0", 10), // outside the alphabet
		codes[0][:4] + "O" + codes[0][5:],
	} {
		index, ok := Match(input, corrupt)
		require.False(t, ok, "%q", input)
		require.Equal(t, -1, index)
	}
	_, ok := Match(codes[0], nil)
	require.False(t, ok)
	index, ok := Match(codes[0], corrupt)
	require.True(t, ok, "corrupt rows do not hide a good one")
	require.Equal(t, 0, index)
}

func TestMatch_ComparesEveryHashWithoutStoppingAtTheFirstMatch(t *testing.T) {
	t.Parallel()
	// A hash stored twice: a loop that stopped at the first match would
	// report index 1; comparing every hash reports the last match.
	codes, hashes := generate(t, 10)
	doubled := append(slices.Clone(hashes), hashes[1])
	index, ok := Match(codes[1], doubled)
	require.True(t, ok)
	require.Equal(t, len(doubled)-1, index)
}
