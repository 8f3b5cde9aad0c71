package browser

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCI_InstallsCJKFontsWithChromium: the screenshots of the Chinese
// pages show boxes instead of characters unless the machine has CJK fonts,
// so .ci/run installs them with chromium, also where chromium is already
// there.
func TestCI_InstallsCJKFontsWithChromium(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../.ci/run")
	require.NoError(t, err)
	script := string(raw)
	require.Regexp(t, regexp.MustCompile(`apt-get install [^\n]*\bchromium\b[^\n]*\bfonts-noto-cjk\b`), script)
	require.Contains(t, script, "dpkg -s fonts-noto-cjk", "a machine with chromium but no CJK fonts gets them too")
}
