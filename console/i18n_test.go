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
				return nil // a script with no words of its own (busy.js, limits.js, graphql.js)
			}
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				used++
				for _, l := range Languages {
					require.True(t, c.Has(l.Tag, m[1]), "%s/%s uses %q, which the %s locale file lacks", dir, path, m[1], l.Tag)
				}
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

// consoleScripts are the admin console's scripts: the console itself and
// the setup link page.
func consoleScripts(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(os.DirFS("static"), "console*.js")
	require.NoError(t, err)
	return append(names, "setup.js")
}

// The console's words come from the locale files: every console script
// reads them through i18n.js, and every console.* key it names exists in
// every language, so a Spanish or Chinese console shows no key and no
// English literal left behind.
func TestConsoleScripts_NameKeysEveryLanguageHas(t *testing.T) {
	t.Parallel()
	c, err := LoadCatalog()
	require.NoError(t, err)
	key := regexp.MustCompile(`\b(?:t|parts|has)\(\s*"([a-zA-Z0-9_.]+)"`)
	used := 0
	for _, name := range consoleScripts(t) {
		raw, err := os.ReadFile(filepath.Join("static", name))
		require.NoError(t, err)
		src := string(raw)
		if name == "console_api.js" || name == "console_dom.js" || strings.Contains(src, "h(") || strings.Contains(src, "say(") {
			require.Contains(t, src, `from "/static/i18n.js"`, "%s shows words, so it reads them from the page's strings", name)
		}
		for _, m := range key.FindAllStringSubmatch(src, -1) {
			used++
			for _, l := range Languages {
				require.True(t, c.Has(l.Tag, m[1]), "static/%s uses %q, which the %s locale files lack", name, m[1], l.Tag)
			}
		}
	}
	require.Greater(t, used, 150, "the scan found the console's keys")
}

// An English sentence written into a console script, instead of looked
// up, would stay English on a Spanish or Chinese console. A string
// literal that starts with a capital letter and holds a space is such a
// sentence, unless it is a product name or a GraphQL document.
func TestConsoleScripts_HoldNoEnglishSentence(t *testing.T) {
	t.Parallel()
	literal := regexp.MustCompile("(\"[A-Z][a-z]+ [^\"]*\"|`[A-Z][a-z]+ [^`]*`)")
	allowed := []string{`"Cloudflare Turnstile"`, `"Google reCAPTCHA"`}
	for _, name := range consoleScripts(t) {
		raw, err := os.ReadFile(filepath.Join("static", name))
		require.NoError(t, err)
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			for _, m := range literal.FindAllString(line, -1) {
				require.Contains(t, allowed, m, "static/%s writes %s: look it up with t()", name, m)
			}
		}
	}
}
