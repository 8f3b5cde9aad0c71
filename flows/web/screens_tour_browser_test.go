package web_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/locale"
)

// tourLanguages are the languages the tour walks every screen in.
var tourLanguages = []string{"en", "es", "zh-CN"}

// TestScreensTour_EveryScreenInThreeLanguages walks every hosted screen
// (sign-up, sign-in, recovery, the account center) and every console
// page in English, Spanish and Chinese. On each screen it checks what a
// person reads: the page's language, no locale key shown instead of its
// words, no English sentence on a Spanish or Chinese page, nothing wider
// than the window; with SCREENSHOT_DIR set it also writes a screenshot of
// each screen there (`make screenshots`).
func TestScreensTour_EveryScreenInThreeLanguages(t *testing.T) {
	t.Parallel()
	for _, lang := range tourLanguages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			t.Run("hosted", func(t *testing.T) {
				t.Parallel()
				tourHostedScreens(t, newTour(t, lang))
			})
			t.Run("console", func(t *testing.T) {
				t.Parallel()
				tourConsolePages(t, newTour(t, lang))
			})
		})
	}
}

// tour is one language's walk: what its screens must not show, and the
// screens seen so far.
type tour struct {
	lang string
	// keyPattern matches a locale key (a namespace, a dot, a word) shown
	// as text.
	keyPattern string
	// english are the English sentences that this language writes
	// differently, by key.
	english map[string]string
	seen    []string
	catalog *locale.Catalog
}

// words is what the language says for key.
func (tr *tour) words(key string) string {
	ns, _, _ := strings.Cut(key, ".")
	return tr.catalog.Locale(tr.lang, ns).T(key)
}

// hostSuffix matches the end of a host name that the key pattern would
// take for a key ("app.example.com").
var hostSuffix = regexp.MustCompile(`\.(com|org|net|example|localhost|test)$`)

func newTour(t *testing.T, lang string) *tour {
	t.Helper()
	c, err := console.LoadCatalog()
	require.NoError(t, err)
	var namespaces []string
	english := map[string]string{}
	for _, key := range c.Keys("en") {
		ns, _, _ := strings.Cut(key, ".")
		if !slices.Contains(namespaces, ns) {
			namespaces = append(namespaces, ns)
		}
		en, other := c.Locale("en", ns).T(key), c.Locale(lang, ns).T(key)
		// A sentence, not a name or a word both languages share.
		if lang != "en" && en != other && strings.Count(en, " ") >= 3 && !strings.ContainsAny(en, "{<") {
			english[en] = key
		}
	}
	require.Greater(t, len(namespaces), 5)
	if lang != "en" {
		require.Greater(t, len(english), 300)
	}
	return &tour{
		lang:       lang,
		keyPattern: `\b(` + strings.Join(namespaces, "|") + `)\.[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\b`,
		english:    english,
		catalog:    c,
	}
}

// tourTextScript reads what a person reads on the page: its visible text,
// its title, and the visible placeholders and labels of its controls.
const tourTextScript = `[document.title, document.body.innerText,
  ...[...document.querySelectorAll("[placeholder], [aria-label], [title]")]
    .filter((e) => e.checkVisibility())
    .flatMap((e) => [e.getAttribute("placeholder"), e.getAttribute("aria-label"), e.getAttribute("title")])
].filter(Boolean)`

// tourOverflowScript lists what is wider than the window, or than its own
// box (text cut off): the page itself as "page", else a short description
// of each element.
const tourOverflowScript = `(() => {
  const out = [];
  const doc = document.documentElement;
  // Inside a box that scrolls sideways, wide content is meant to scroll.
  const scrolled = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  if (doc.scrollWidth > doc.clientWidth + 1) out.push("page " + doc.scrollWidth + " > " + doc.clientWidth);
  for (const e of document.querySelectorAll("button, h1, h2, h3, label, legend, p, li, dt, dd, th, td, input, select, textarea, section, fieldset")) {
    if (!e.checkVisibility({ checkOpacity: true }) || e.clientWidth === 0) continue;
    const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + JSON.stringify(e.textContent.trim().slice(0, 60));
    const x = getComputedStyle(e).overflowX;
    if ((x === "hidden" || x === "clip") && e.scrollWidth > e.clientWidth + 1) out.push(name + " is cut off");
    const r = e.getBoundingClientRect();
    if (r.right > doc.clientWidth + 1 && !scrolled(e)) out.push(name + " ends at " + Math.round(r.right));
  }
  return out;
})()`

// shot checks the screen the tab shows, named name, and writes its
// screenshot under SCREENSHOT_DIR when that is set.
func (tr *tour) shot(t *testing.T, tab *browser.Tab, name string) {
	t.Helper()
	tab.Settle(t)
	var htmlLang string
	tab.Eval(t, "document.documentElement.lang", &htmlLang)
	require.Equal(t, tr.lang, htmlLang, "the %s screen's language", name)

	var texts []string
	tab.Eval(t, tourTextScript, &texts)
	require.NotEmpty(t, texts, name)
	keys := regexp.MustCompile(tr.keyPattern)
	for _, text := range texts {
		for _, key := range keys.FindAllString(text, -1) {
			require.Regexp(t, hostSuffix, key, "the %s screen (%s) shows a locale key instead of its words", name, tr.lang)
		}
		for en, key := range tr.english {
			require.NotContains(t, text, en, "the %s screen (%s) shows the English of %s", name, tr.lang, key)
		}
	}

	// A file input's own button and "no file" line are in the browser's
	// language, not the page's: a page draws its own (picture.js).
	var native int
	tab.Eval(t, `[...document.querySelectorAll("input[type=file]")].filter((e) => e.checkVisibility({checkOpacity: true})).length`, &native)
	require.Zero(t, native, "the %s screen (%s) shows a browser's file button", name, tr.lang)

	var wide []string
	tab.Eval(t, tourOverflowScript, &wide)
	require.Empty(t, wide, "the %s screen (%s) is wider than the window", name, tr.lang)

	require.NotContains(t, tr.seen, name, "two screens named %s", name)
	tr.seen = append(tr.seen, name)
	if os.Getenv("SCREENSHOT_DIR") != "" {
		tab.Screenshot(t, browser.ShotPath(t, name+".png"))
	}
}
