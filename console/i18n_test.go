package console

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The keys the templates and scripts name must all exist: a typo would
// show the key itself to people.
func TestCatalog_HoldsEveryKeyThePagesUse(t *testing.T) {
	t.Parallel()
	c, err := LoadCatalog()
	require.NoError(t, err)
	patterns := map[string]*regexp.Regexp{
		"templates": regexp.MustCompile(`\.T "([a-zA-Z0-9_.]+)"`),
		"static":    regexp.MustCompile(`\b(?:t|parts|has)\(\s*"([a-zA-Z0-9_.]+)"`),
	}
	goKeys := regexp.MustCompile(`\.T\("([a-zA-Z0-9_.]+)"`)
	used := 0
	for dir, re := range patterns {
		err := fs.WalkDir(os.DirFS(dir), ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			raw, err := os.ReadFile(filepath.Join(dir, path))
			if err != nil {
				return err
			}
			if dir == "static" && !strings.Contains(string(raw), `from "/static/i18n.js"`) {
				return nil // a script with no localized words (the console's)
			}
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				used++
				require.True(t, c.Has("en", m[1]), "%s/%s uses %q, which the locale files lack", dir, path, m[1])
			}
			return nil
		})
		require.NoError(t, err)
	}
	// flows/web names the sign-up fields' labels.
	raw, err := os.ReadFile("../flows/web/pages.go")
	require.NoError(t, err)
	for _, m := range goKeys.FindAllStringSubmatch(string(raw), -1) {
		used++
		require.True(t, c.Has("en", m[1]), "flows/web/pages.go uses %q, which the locale files lack", m[1])
	}
	require.Greater(t, used, 20, "the scan found the pages' keys")
}
