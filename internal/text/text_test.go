package text_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/text"
)

func TestLine_RefusesWhatIsNotOneLineOfText(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"a\x00b", "a\x01b", "a\x1fb", "a\x7fb", "a\u0085b", "a\u009fb", "a\xffb", "\xc3", "a\ufffdb",
		"a\tb", "a\nb", "a\rb", "a\u2028b", "a\u2029b", "a\u202eb", "a\u2066b",
		strings.Repeat("x", 11), strings.Repeat("é", 11),
	} {
		_, err := text.Line(bad, 10)
		require.Error(t, err, "%q", bad)
		var te *text.Error
		require.ErrorAs(t, err, &te)
		require.NotEmpty(t, te.Problem)
	}
}

func TestLine_TrimsAndKeepsText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  Work laptop \n":      "Work laptop",
		"\tAna\r\n":             "Ana",
		"":                      "",
		"   ":                   "",
		"Zoë's 🔑":               "Zoë's 🔑",
		"家族の👨\u200d👩\u200d👧":    "家族の👨\u200d👩\u200d👧",
		strings.Repeat("é", 10): strings.Repeat("é", 10),
		"ana@example.com":       "ana@example.com",
	} {
		got, err := text.Line(in, 15)
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, got)
	}
}

func TestCheck_KeepsWhiteSpaceRefusesControls(t *testing.T) {
	t.Parallel()
	require.NoError(t, text.Check("{\n\t\"a\": 1\r\n}"))
	for _, bad := range []string{"\x00", "\x01", "\u0085", "\xff", "\ufffd", "\x7f"} {
		require.Error(t, text.Check(bad), "%q", bad)
	}
}

// FuzzLine checks Line's promise: what it accepts is valid UTF-8, one
// line, without controls, NUL, U+FFFD or direction overrides, trimmed,
// within the bound, and accepted unchanged when sent again.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", " a ", "a\x00", "\x01", "\u0085", "\xff\xfe", "a\u202eb", "é", "\u2028", "\t x \n", "🔑 key"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := text.Line(in, 20)
		if err != nil {
			return
		}
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > 20 || out != strings.TrimSpace(out) {
			t.Fatalf("Line(%q) = %q: not valid, too long or not trimmed", in, out)
		}
		for _, r := range out {
			if r == 0 || r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
				t.Fatalf("Line(%q) = %q keeps %U", in, out, r)
			}
		}
		if again, err := text.Line(out, 20); err != nil || again != out {
			t.Fatalf("Line(%q) = %q, which Line turns into (%q, %v)", in, out, again, err)
		}
		if err := text.Check(out); err != nil {
			t.Fatalf("Line(%q) = %q, which Check refuses: %v", in, out, err)
		}
	})
}
