package password

import (
	"crypto/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestCommonList_IsSortedDeduplicatedNormalizedAndSmall(t *testing.T) {
	t.Parallel()
	require.Less(t, len(commonText), 200<<10, "the embedded list stays well under 200 KB")
	require.True(t, strings.HasSuffix(commonText, "\n"))
	require.NotContains(t, commonText, "\r")

	entries := commonList()
	require.Greater(t, len(entries), 5000)
	require.LessOrEqual(t, len(entries), 10000)
	// Plain comparisons in the loop, require only on failure: ten thousand
	// require calls are slow under the race detector.
	for i, entry := range entries {
		if !utf8.ValidString(entry) || commonKey(entry) != entry {
			require.Failf(t, "entry not in lookup form", "line %d: %q", i+1, entry)
		}
		if utf8.RuneCountInString(entry) < 4 {
			require.Failf(t, "entry shorter than 4 characters", "line %d: %q", i+1, entry)
		}
		// Strictly increasing: sorted for binary search, and no duplicates.
		if i > 0 && entries[i-1] >= entry {
			require.Failf(t, "entry out of order or repeated", "line %d: %q after %q", i+1, entry, entries[i-1])
		}
	}
}

func TestIsCommon_FindsWellKnownPasswordsIgnoringCase(t *testing.T) {
	t.Parallel()
	for _, common := range []string{"password", "123456", "qwerty123", "Password", "QWERTY123", "iloveyou", "ｐａｓｓｗｏｒｄ"} {
		require.True(t, IsCommon(common), "%q", common)
	}
	entries := commonList()
	require.True(t, IsCommon(entries[0]), "first entry")
	require.True(t, IsCommon(entries[len(entries)-1]), "last entry")
}

func TestIsCommon_DoesNotFindRandomPassphrases(t *testing.T) {
	t.Parallel()
	for range 20 {
		passphrase := rand.Text()
		require.False(t, IsCommon(passphrase), "%q", passphrase)
	}
	require.False(t, IsCommon(""))
}
